/**
 * `getFileToken` / `getFileUrl` (API_CHECKLIST §3.11, seed 图片上传 / 下载 url): only while connected;
 * argument rules as the official client's (fileType a number, file name a string); results and
 * errors through the callback, never thrown.
 */
import { requestFileToken, requestFileUrl } from '../client/services/files';
import type { FileTokenResult } from '../client/services/files';
import { ErrorCode, SdkError } from '../errors';
import { isObject } from './callbacks';
import { operate } from './operation';
import type { Runtime } from './runtime';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';

export function getFileToken(rt: Runtime, fileType: unknown, callback: unknown, fileName?: unknown, httpMethod?: unknown, queryString?: unknown): Promise<FileTokenResult | undefined> {
  return operate(
    rt,
    'getFileToken',
    callback,
    [
      check('fileType', fileType, Rules.INTEGER),
      callbackCheck(callback),
      check('fileName', fileName, Rules.ONLY_STRING, true),
      check('httpMethod', httpMethod, Rules.ONLY_STRING, true),
      check('queryString', queryString, Rules.ONLY_STRING, true),
    ],
    (op) => {
      const engine = rt.engine;
      if (engine === undefined) throw new SdkError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
      return requestFileToken(
        engine,
        op.session.userId,
        {
          fileType: fileType as number,
          fileName: typeof fileName === 'string' ? fileName : undefined,
          httpMethod: typeof httpMethod === 'string' ? httpMethod : undefined,
          queryString: typeof queryString === 'string' ? queryString : undefined,
        },
        rt.platform.clock.now(),
        Math.random,
      );
    },
  );
}

/**
 * `(fileType, fileName, oriName, callback, uploadRes?, uploadMethod?)`. A Baidu BOS upload result
 * (`uploadRes.isBosRes`) already carries its URL and is returned as is, as the official client does.
 */
export function getFileUrl(rt: Runtime, fileType: unknown, fileName: unknown, oriName: unknown, callback: unknown, uploadRes?: unknown, uploadMethod?: unknown): Promise<unknown> {
  // A BOS upload result is handed back as the app gave it (it carries `downloadUrl`).
  return operate<unknown>(
    rt,
    'getFileUrl',
    callback,
    [
      check('fileType', fileType, Rules.INTEGER),
      check('fileName', fileName, Rules.STRING),
      check('oriName', oriName, Rules.ONLY_STRING, true),
      callbackCheck(callback),
      check('uploadRes', uploadRes, Rules.OBJECT, true),
      check('uploadMethod', uploadMethod, Rules.INTEGER, true),
    ],
    (op) => {
      if (isObject(uploadRes) && uploadRes['isBosRes'] === true) return uploadRes;
      const engine = rt.engine;
      if (engine === undefined) throw new SdkError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
      return requestFileUrl(engine, op.session.userId, {
        fileType: fileType as number,
        key: fileName as string,
        oriName: typeof oriName === 'string' ? oriName : undefined,
        uploadMethod: typeof uploadMethod === 'number' ? uploadMethod : undefined,
      });
    },
  );
}
