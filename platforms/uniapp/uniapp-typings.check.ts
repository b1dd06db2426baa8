/**
 * Compile-time only (tsconfig.uniapp.json, never imported): the official uni-app typings
 * (@dcloudio/types) satisfy UniappHost, so `createUniappAdapter(uni)` accepts the real `uni` and
 * moving UniappHost onto `Pick<UniNamespace.Uni, …>` later is a type-only change.
 */
import type { UniappHost } from './uniapp-host';

type Satisfies<T extends U, U> = T;

export type OfficialUniIsAUniappHost = Satisfies<UniNamespace.Uni, UniappHost>;
