/** Defaults and fixed file names of the server configuration (config.ts), shared by its help text and loaders. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9200;
export const DEFAULT_DATA_DIR = 'data';
export const DB_FILE_NAME = 'lianxin.db';
export const DEV_APP_FILE_NAME = 'dev-app.json';
