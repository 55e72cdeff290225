// bus: how the server itself talks MQTT. Agents reach the broker over TLS sockets; the server's
// own traffic does not: with the embedded broker it goes straight into aedes (aedes-bus.ts), and
// with an external broker (a later issue) it will go through one mqtt.js client. Ingest, desired
// state and log streaming only see this interface, so either can sit behind it.
export interface PublishOptions {
  /** retain: the broker keeps the message and hands it to every later subscriber (desired state). */
  retain?: boolean;
  qos?: 0 | 1;
}

/** MessageHandler gets each message on a matching topic; it must not throw and should not block. */
export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface Bus {
  publish(topic: string, payload: Buffer | string, opts?: PublishOptions): Promise<void>;
  /** subscribe delivers messages on topics matching pattern (MQTT wildcards + and #); resolves to an unsubscribe. */
  subscribe(pattern: string, handler: MessageHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
