-- Every API token expires: a token made before expiry existed gets the default lifetime
-- (WEFT_API_TOKEN_TTL's default, 30 days) from the upgrade, written in Prisma's format.
UPDATE "ApiToken"
SET "expiresAt" = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '+30 days')
WHERE "expiresAt" IS NULL;
