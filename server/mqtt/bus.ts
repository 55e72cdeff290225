// bus: how the server itself talks MQTT. Agents reach the broker over TLS sockets; the server's
// own traffic does not: with the embedded broker it goes straight into aedes (aedes-bus.ts), and
// with an external broker (--mqtt-url) it goes through one mqtt.js client (mqtt-bus.ts). Ingest,
// desired state and log streaming only see this interface, so either can sit behind it.
export interface PublishOptions {
  /** retain: the broker keeps the message and hands it to every later subscriber (desired state). */
  retain?: boolean;
  qos?: 0 | 1;
}

export interface SubscribeOptions {
  /**
   * retained: also deliver the retained messages the broker holds for the pattern when the
   * subscription is made (an external broker does; the in-process aedes bus has none to give).
   * Without it only messages published from then on arrive.
   */
  retained?: boolean;
}

/** MessageHandler gets each message on a matching topic; it must not throw and should not block. */
export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface Bus {
  publish(topic: string, payload: Buffer | string, opts?: PublishOptions): Promise<void>;
  /** subscribe delivers messages on topics matching pattern (MQTT wildcards + and #); resolves to an unsubscribe. */
  subscribe(pattern: string, handler: MessageHandler, opts?: SubscribeOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
