// index: the scheduler's public surface. Callers build a snapshot, schedule pods one by one, write
// each binding, and assume() it into the snapshot.
export type {
  FilterPlugin,
  FilterResult,
  NodeInfo,
  PodRequests,
  Plugins,
  Resources,
  ScorePlugin,
  Snapshot,
  SpreadGroup,
} from './framework.js';
export { FITS, MAX_NODE_SCORE, reject } from './framework.js';
export { fitErrorMessage, NO_NODES_MESSAGE } from './fit-error.js';
export { podRequests } from './pod-requests.js';
export { defaultPlugins, filterPlugins, scorePlugins } from './registry.js';
export { type ScheduleResult, schedule } from './schedule.js';
export { assume, buildSnapshot, forget, spreadGroup } from './snapshot.js';
