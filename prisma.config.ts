// Prisma CLI configuration for these offline machines: the JS schema engine and a driver adapter,
// so no native engine is ever downloaded. Used by `prisma generate` and when writing migrations;
// the controller applies migrations itself at start (apps/controller/src/db/migrate.ts).
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

const DEFAULT_DATABASE_FILE = '.weft/weft.db';
const databaseFile = resolve(process.env.WEFT_DB ?? DEFAULT_DATABASE_FILE);

type Connection = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;

/**
 * Prisma 6.19's JS schema engine replays whole migration scripts through executeRaw, which
 * better-sqlite3 refuses for more than one statement; such scripts go to executeScript instead.
 * Without this, `prisma migrate diff --from-migrations` and `migrate dev` fail on SQLite.
 */
function acceptScripts(connection: Connection): Connection {
  const executeRaw = connection.executeRaw.bind(connection);
  connection.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      const text = String((error as { cause?: { message?: string } }).cause?.message ?? error);
      if (query.args.length > 0 || !text.includes('more than one statement')) throw error;
      await connection.executeScript(query.sql);
      return 0;
    }
  };
  return connection;
}

class CliAdapter extends PrismaBetterSQLite3 {
  override async connect() {
    return acceptScripts(await super.connect());
  }
  override async connectToShadowDb() {
    return acceptScripts(await super.connectToShadowDb());
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: join('prisma', 'schema.prisma'),
  migrations: { path: join('prisma', 'migrations') },
  async adapter() {
    mkdirSync(dirname(databaseFile), { recursive: true });
    return new CliAdapter({ url: `file:${databaseFile}` });
  },
});
