-- CreateTable
CREATE TABLE "RolloutRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "namespace" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "rollout" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "stableVersion" TEXT NOT NULL,
    "canaryVersion" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "pause" TEXT,
    "stepIndex" INTEGER NOT NULL DEFAULT -1,
    "canaryWeight" INTEGER NOT NULL DEFAULT 0,
    "stableWeight" INTEGER NOT NULL DEFAULT 100,
    "stepStartedAt" DATETIME NOT NULL,
    "stepPassed" BOOLEAN NOT NULL DEFAULT false,
    "pausedAt" DATETIME,
    "nextAnalysisAt" DATETIME,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "analyses" TEXT NOT NULL DEFAULT '[]',
    "reason" TEXT,
    "startedBy" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "activeKey" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "RolloutRun_activeKey_key" ON "RolloutRun"("activeKey");

-- CreateIndex
CREATE INDEX "RolloutRun_namespace_service_idx" ON "RolloutRun"("namespace", "service");

-- CreateIndex
CREATE INDEX "RolloutRun_phase_idx" ON "RolloutRun"("phase");
