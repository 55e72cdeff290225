// selectors: the one import for label and field selectors (parse once, match fast).
export {
  type FieldRequirement,
  fieldSelectorName,
  matchesFields,
  parseFieldSelector,
} from './field-selector.js';
export {
  type LabelOperator,
  type LabelRequirement,
  labelSelectorFromObject,
  labelSelectorToString,
  matchesLabels,
  matchLabelSelector,
  parseLabelSelector,
  requirementsToString,
} from './label-selector.js';
export { SelectorError } from './selector-error.js';
