-- AlterTable
ALTER TABLE "Proxy" ADD COLUMN "sentRevision" INTEGER;

-- The revision of a snapshot already sent was only written into its version, "r<revision>.<n>".
UPDATE "Proxy"
SET "sentRevision" = CAST(substr("sentVersion", 2, instr("sentVersion", '.') - 2) AS INTEGER)
WHERE "sentVersion" GLOB 'r[0-9]*.*';
