// yaml: objects as `get -o yaml` / `-o json` print them. kubectl's YAML has map keys sorted (it
// goes through Go maps), list items flush with their parent key, and YAML 1.1 quoting (strings
// that look like timestamps or yes/no are quoted); its JSON is indented by 4.
import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0, schema: 'yaml-1.1' });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}
