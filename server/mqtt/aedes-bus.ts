// aedes-bus: the Bus over the embedded broker, in process: publishes go to aedes.publish and
// subscriptions to aedes.subscribe, bypassing the per-node ACL (the server may do everything).
// In-process subscriptions are never sent retained messages, so SubscribeOptions.retained has
// nothing to ask for here (aedes keeps retained messages in memory only anyway).
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { Bus, MessageHandler, PublishOptions } from './bus.js';

export function aedesBus(aedes: Aedes, onHandlerError: (err: unknown, topic: string) => void = () => {}): Bus {
  const subscriptions = new Set<() => Promise<void>>();
  return {
    publish(topic, payload, opts: PublishOptions = {}) {
      return new Promise((resolve, reject) => {
        const packet = {
          cmd: 'publish' as const,
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: opts.qos ?? 0,
          retain: opts.retain ?? false,
          dup: false,
        };
        aedes.publish(packet, (err) => (err ? reject(err) : resolve()));
      });
    },
    subscribe(pattern: string, handler: MessageHandler) {
      const deliver = (packet: AedesPublishPacket, done: () => void) => {
        try {
          handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        } catch (err) {
          onHandlerError(err, packet.topic);
        }
        // Not done() here: mqemitter hands over the next queued message from inside done, so a
        // backlog (a 10,000-pod rollout on 1,000 nodes) recursed one stack level per message
        // until the server died of a stack overflow. Not setImmediate either: one event-loop turn
        // per message let the backlog grow, and mqemitter's queue (an array it shifts) then costs
        // O(backlog) per message. process.nextTick drains it as fast as before, from a flat stack.
        process.nextTick(done);
      };
      return new Promise((resolve) => {
        aedes.subscribe(pattern, deliver, () => {
          const unsubscribe = () =>
            new Promise<void>((r) => {
              if (!subscriptions.delete(unsubscribe) || aedes.closed) return r();
              aedes.unsubscribe(pattern, deliver, () => r());
            });
          subscriptions.add(unsubscribe);
          resolve(unsubscribe);
        });
      });
    },
    async close() {
      await Promise.all([...subscriptions].map((u) => u()));
    },
  };
}
