/**
 * Apps created from the admin console (issue #14, store/app-repository.ts). Config apps are not stored.
 *
 * Query plans: lookups by the primary key (app_key); the full list is read at start and on refresh
 * (a handful of rows), ordered by created_time.
 */
export const version = 7;
export const name = 'apps';

export const sql = `
CREATE TABLE apps (
  app_key      TEXT    NOT NULL PRIMARY KEY,
  app_secret   TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  -- JSON object: option name -> value text, as --app KEY:SECRET:name=value takes them
  options      TEXT    NOT NULL,
  enabled      BOOLEAN NOT NULL,
  created_time BIGINT  NOT NULL,
  updated_time BIGINT  NOT NULL
);
`;
