// tolerations: does a pod tolerate a taint? The exact rules of Kubernetes' Toleration.ToleratesTaint,
// shared by the taint filter, the taint score and the not-ready check.
import type { Taint, Toleration } from '../../shared/api/core.js';

/** toleratesTaint: an empty effect matches every effect, an empty key (only valid with Exists)
 * matches every key, Exists ignores the value and Equal (the default operator) compares it. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** tolerates reports whether any of the tolerations tolerates the taint. */
export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}
