/**
 * The `--help` text of the server (config.ts). Every option lists its environment variable and config
 * file key, so a change to the option table in config.ts / config-layers.ts belongs here too.
 */
import { DB_FILE_NAME, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEV_APP_FILE_NAME } from './config-defaults';
import { LOG_LEVELS } from './log';

export const USAGE = `Usage: lianxin-server [options]

Options (environment variable / config file key in brackets):
  --host HOST                 listen address (default ${DEFAULT_HOST})
                              [LIANXIN_HOST / "host"]
  --port N                    listen port; 0 = any free port (default ${DEFAULT_PORT})
                              [LIANXIN_PORT / "port"]
  --public-host HOST[:PORT]   host:port advertised by navi, repeatable: the first is
                              "server", the others "backupServer" (default: the
                              listening address) [LIANXIN_PUBLIC_HOSTS, comma list / "publicHosts"]
  --data-dir DIR              data directory; the database is DIR/${DB_FILE_NAME}
                              (default ./${DEFAULT_DATA_DIR}) [LIANXIN_DATA_DIR / "dataDir"]
  --app KEY:SECRET[:OPT=V,..] an app, repeatable. Options: multiDevice=0|1 (0: one
                              session per platform class), retentionDays=N (7),
                              recallWindowMs=N (120000), maxSendRate=N messages per
                              second (5), tokenTtlMs=N (0 = tokens never expire),
                              chatrooms: chrmMulti=0|1, chrmMaxMembers=N (0 = no cap),
                              chrmAutoCreate=1|0, chrmKickOfflineMs=N (30000),
                              chrmKickMissed=N (30), chrmIdleDestroyMs=N (3600000),
                              chrmKv=1|0, chrmMaxKeys=N (100), chrmKvRate=N KV changes
                              per room and second (100; 0 = no limit), chrmMemberNotify=0|1,
                              chrmHistory=1|0, chrmHistoryDays=N (60),
                              chrmQuotaWindowMs=N (200), chrmQuotaHigh=N (20),
                              chrmQuotaShared=N (20), chrmDestroyMinuteMs=N (60000:
                              a timed room's destroyTime minute; for tests),
                              groups: maxGroupMembers=N (3000),
                              groupHistoryBeforeJoin=0|1, groupReceiptV2=0|1,
                              App Server: messageRouteUrl=URL, userStatusUrl=URL,
                              chatroomStatusUrl=URL, moderationUrl=URL (URLs may be
                              %-encoded), moderationTimeoutMs=N (3000),
                              moderationFailOpen=1|0, moderationTypes=T1|T2 (%-encoded),
                              whitelistMode=0|1, callbackTimeoutMs=N (5000),
                              callbackRetryMs=N (1000), callbackRetryMaxMs=N (60000),
                              callbackQueueMax=N (100000), statusBatchMs=N (1000),
                              userListMax=N (3000), rate.<endpoint>=N/s|N/min|N/h|off
                              (e.g. rate.message/group/publish=20/s; rate.*=… for
                              every endpoint without a default of its own: the
                              publish/broadcast/push defaults change only by name)
                              [LIANXIN_APPS="k1:s1,k2:s2:multiDevice=1" / "apps"]
  --dev-app                   ensure a development app exists (generated once, kept
                              in DIR/${DEV_APP_FILE_NAME}) and print its key and secret
                              [LIANXIN_DEV_APP=1 / "devApp"]
  --log-level LEVEL           ${LOG_LEVELS.join('|')} (default info)
                              [LIANXIN_LOG_LEVEL / "logLevel"]
  --api-clock-skew SECONDS    reject Server API requests whose Timestamp is further
                              from now than this; 0 = off (default 0)
                              [LIANXIN_API_CLOCK_SKEW / "apiClockSkewSeconds"]
  --files NAME=V[,NAME=V..]   built-in file service: enabled=1|0, baseUrl=URL (public
                              http(s) base of upload/download URLs), tokenTtlMs=N
                              (3600000), sizes with K/M/G: maxImage (20M), maxAudio
                              (20M), maxVideo (100M), maxFile (100M), maxHtml (10M),
                              maxGif (2M), maxSightSeconds=N (120); uploads staging
                              a file before its token (official plugin form):
                              tokenlessUploads=N (32), tokenlessPerAddress=N (4),
                              tokenlessWaitMs=N (30000), then 429
                              [LIANXIN_FILES / "files": "…" or {"maxGif": "2M"}]
  --metrics-token TOKEN       bearer token required by /metrics and the ops endpoints
                              (POST /ops/reload); unset: /metrics is open and /ops/*
                              is disabled [LIANXIN_METRICS_TOKEN / "metricsToken"]
  --trust-proxy LIST          reverse proxies (IP addresses, CIDR ranges, loopback,
                              private; comma-separated, repeatable) whose
                              X-Forwarded-For names the client: upload slots per
                              address, callbacks' clientIp, logs (default: none;
                              not reloadable) [LIANXIN_TRUST_PROXY / "trustProxy"]
  --config FILE               JSON file with the keys above [LIANXIN_CONFIG]
  -h, --help                  print this help

Precedence: flag > environment > config file > default.
App keys: [A-Za-z0-9_-], 1..64 chars. Secrets: [A-Za-z0-9_.~-], 1..128 chars.
Config file "apps": ["KEY:SECRET", {"appKey":"k","appSecret":"s","multiDevice":true}, ...].
App option allowedOrigins=HOST|*.DOMAIN|SCHEME%3A%2F%2FHOST[%3APORT] lists the web
page origins allowed to connect (others get CONNACK 12 / error 35009).
Once ready the server prints "listening on http://HOST:PORT" on stdout;
SIGTERM or SIGINT stop it gracefully (exit code 0); SIGHUP re-reads the config
file (apps and their options, metricsToken, logLevel) without dropping connections.
`;
