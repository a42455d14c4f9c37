-- CreateTable
CREATE TABLE "CaKey" (
    "serial" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "sealedKey" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
