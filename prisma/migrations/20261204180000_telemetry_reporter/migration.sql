-- Rollups gain the side that reported them; every row before this came from the calling side.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_TelemetryRollup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tierSeconds" INTEGER NOT NULL,
    "bucketStart" DATETIME NOT NULL,
    "reporter" TEXT NOT NULL DEFAULT 'source',
    "source" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "destVersion" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "statusClass" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "requestBytes" BIGINT NOT NULL DEFAULT 0,
    "responseBytes" BIGINT NOT NULL DEFAULT 0,
    "sketch" BLOB NOT NULL
);
INSERT INTO "new_TelemetryRollup" ("bucketStart", "destVersion", "destination", "errors", "id", "requestBytes", "requests", "responseBytes", "route", "sketch", "source", "statusClass", "tierSeconds") SELECT "bucketStart", "destVersion", "destination", "errors", "id", "requestBytes", "requests", "responseBytes", "route", "sketch", "source", "statusClass", "tierSeconds" FROM "TelemetryRollup";
DROP TABLE "TelemetryRollup";
ALTER TABLE "new_TelemetryRollup" RENAME TO "TelemetryRollup";
CREATE INDEX "TelemetryRollup_tierSeconds_bucketStart_idx" ON "TelemetryRollup"("tierSeconds", "bucketStart");
CREATE UNIQUE INDEX "TelemetryRollup_tierSeconds_bucketStart_reporter_source_destination_destVersion_route_statusClass_key" ON "TelemetryRollup"("tierSeconds", "bucketStart", "reporter", "source", "destination", "destVersion", "route", "statusClass");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
