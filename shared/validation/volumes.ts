// volumes: pod volumes. Each has a unique DNS-label name and exactly one source; the common
// sources Bramble runs (emptyDir, hostPath, configMap, secret, persistentVolumeClaim,
// projected, downwardAPI) get their required fields checked.
import { isQuantity } from '../quantity.js';
import { child, duplicate, type FieldCause, forbidden, invalid, notSupported, required } from './field.js';
import { isConfigMapKey, isDNS1123Label } from './names.js';
import { QUANTITY_ERROR } from './resources.js';
import { int, isSet, type Obj, objects, str, typed } from './shape.js';

const SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
] as const;

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(out: FieldCause[], v: unknown, field: string): void {
  const mode = int(out, v, field);
  if (mode !== undefined && (mode < 0 || mode > 0o777)) out.push(invalid(field, mode, FILE_MODE_ERROR));
}

// validateItems checks the key-to-path projections of configMap and secret volumes.
function validateItems(out: FieldCause[], items: unknown, field: string): void {
  for (const [item, path] of objects(out, items, field)) {
    const k = str(out, item.key, child(path, 'key'));
    if (!k) out.push(required(child(path, 'key'), ''));
    else for (const msg of isConfigMapKey(k)) out.push(invalid(child(path, 'key'), k, msg));
    const p = str(out, item.path, child(path, 'path'));
    if (!p) out.push(required(child(path, 'path'), ''));
    else if (p.startsWith('/')) out.push(invalid(child(path, 'path'), p, 'must be a relative path'));
    else if (p.split('/').includes('..')) out.push(invalid(child(path, 'path'), p, "must not contain '..'"));
    validateMode(out, item.mode, child(path, 'mode'));
  }
}

function validateSource(out: FieldCause[], type: string, src: Obj, field: string): void {
  switch (type) {
    case 'hostPath': {
      if (!str(out, src.path, child(field, 'path'))) out.push(required(child(field, 'path'), ''));
      const t = str(out, src.type, child(field, 'type'));
      if (!HOST_PATH_TYPES.includes(t)) out.push(notSupported(child(field, 'type'), t, HOST_PATH_TYPES.slice(1)));
      break;
    }
    case 'emptyDir': {
      const medium = str(out, src.medium, child(field, 'medium'));
      if (medium && medium !== 'Memory' && medium !== 'HugePages') out.push(notSupported(child(field, 'medium'), medium, ['', 'Memory', 'HugePages']));
      if (isSet(src.sizeLimit) && !isQuantity(src.sizeLimit)) out.push(invalid(child(field, 'sizeLimit'), src.sizeLimit, QUANTITY_ERROR));
      break;
    }
    case 'configMap':
      if (!str(out, src.name, child(field, 'name'))) out.push(required(child(field, 'name'), ''));
      validateItems(out, src.items, child(field, 'items'));
      validateMode(out, src.defaultMode, child(field, 'defaultMode'));
      break;
    case 'secret':
      if (!str(out, src.secretName, child(field, 'secretName'))) out.push(required(child(field, 'secretName'), ''));
      validateItems(out, src.items, child(field, 'items'));
      validateMode(out, src.defaultMode, child(field, 'defaultMode'));
      break;
    case 'persistentVolumeClaim':
      if (!str(out, src.claimName, child(field, 'claimName'))) out.push(required(child(field, 'claimName'), ''));
      typed(out, src.readOnly, child(field, 'readOnly'), 'boolean');
      break;
  }
}

/** validateVolumes checks spec.volumes and returns the volume names, for volumeMounts to refer to. */
export function validateVolumes(out: FieldCause[], volumes: unknown, field: string): Set<string> {
  const names = new Set<string>();
  for (const [vol, path] of objects(out, volumes, field)) {
    const given = SOURCES.filter((s) => isSet(vol[s]));
    if (given.length === 0) out.push(required(path, 'must specify a volume type'));
    for (const s of given.slice(1)) out.push(forbidden(child(path, s), 'may not specify more than 1 volume type'));
    if (given[0] && typed(out, vol[given[0]], child(path, given[0]), 'object')) validateSource(out, given[0], vol[given[0]], child(path, given[0]));
    const name = str(out, vol.name, child(path, 'name'));
    if (!name) out.push(required(child(path, 'name'), ''));
    else for (const msg of isDNS1123Label(name)) out.push(invalid(child(path, 'name'), name, msg));
    if (names.has(name)) out.push(duplicate(child(path, 'name'), name));
    names.add(name);
  }
  return names;
}
