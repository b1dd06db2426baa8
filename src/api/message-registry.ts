/**
 * Custom message types registered by the app (`RongIMClient.registerMessageType`), one registry per
 * RongIMLib instance: `RegisterMessage[messageType]` is the class to send with, and
 * `RegisterMessageTypeMapping[objectName]` the v2 name received messages get. Also the policy lookup
 * the services use to decide whether a received custom message is stored/counted.
 */
import type { MessagePolicy } from '../protocol/object-names';
import { builtInPolicy, isReservedObjectName } from '../protocol/object-names';
import type { MessageClass } from './message-classes';
import { defineMessageClass } from './message-classes';
import { builtInMessageType, builtInObjectName, UNKNOWN_MESSAGE_TYPE } from './message-types';

export class MessageRegistry {
  readonly RegisterMessage: Record<string, MessageClass> = {};
  readonly RegisterMessageTypeMapping: Record<string, string> = {};
  private readonly policies = new Map<string, MessagePolicy>();

  /**
   * Registers a custom type. Returns an error text instead of registering when the input cannot work
   * (the facade logs it): built-in names are reserved (`RC:` prefix, seed L3580).
   */
  register(messageType: string, objectName: string, isCounted: boolean, isPersited: boolean): string | undefined {
    if (isReservedObjectName(objectName)) return `objectName '${objectName}' is reserved for built-in messages (RC: prefix)`;
    this.RegisterMessage[messageType] = defineMessageClass(messageType, objectName, { isPersited, isCounted });
    this.RegisterMessageTypeMapping[objectName] = messageType;
    this.policies.set(objectName, { persisted: isPersited, counted: isCounted, status: false });
    return undefined;
  }

  /** v2 `messageType` of a received object name; unknown names are 'UnknownMessage'. */
  messageTypeOf(objectName: string): string {
    return builtInMessageType(objectName) ?? this.RegisterMessageTypeMapping[objectName] ?? UNKNOWN_MESSAGE_TYPE;
  }

  /** `RongIMClient.getMessageObjectName`: object name of a v2 type name, or the input itself. */
  objectNameOf(messageType: string): string {
    const builtIn = builtInObjectName(messageType);
    if (builtIn !== undefined) return builtIn;
    for (const [objectName, type] of Object.entries(this.RegisterMessageTypeMapping)) if (type === messageType) return objectName;
    return messageType;
  }

  readonly policyOf = (objectName: string): MessagePolicy | undefined => builtInPolicy(objectName) ?? this.policies.get(objectName);
}
