-- CreateTable
CREATE TABLE "TelemetryUpload" (
    "proxyId" TEXT NOT NULL,
    "sequence" BIGINT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("proxyId", "sequence")
);

-- CreateIndex
CREATE INDEX "TelemetryUpload_receivedAt_idx" ON "TelemetryUpload"("receivedAt");
