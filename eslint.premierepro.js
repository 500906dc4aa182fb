// Adobe's rules for the Premiere UXP API (github.com/adobe/eslint-plugin-premierepro) as syntax selectors: the
// plugin is not published on the npm registry, so its syntactic rules are restated here for the files that call
// `premierepro`. Each message names the Adobe rule it stands for; Adobe's two "prefer" warnings are errors here.
const CALL = (names) => `CallExpression[callee.property.name=/^(${names})$/]`;
const LOCK = CALL("lockedAccess|executeTransaction");
const SCOPES = CALL("lockedAccess|executeTransaction|createEmptySelection");

export const premiereproRules = [
  {
    selector: `CallExpression[callee.property.name=/^create\\w*Action$/]:not(${LOCK} *)`,
    message: "require-action-lock-scope: make create*Action() calls inside project.lockedAccess() or executeTransaction().",
  },
  {
    selector: `CallExpression[callee.property.name="addAction"]:not(${CALL("executeTransaction")} *)`,
    message: "require-execute-transaction: addAction() belongs inside the executeTransaction() callback.",
  },
  {
    selector: `${SCOPES} > :function[async=true], ${SCOPES} AwaitExpression`,
    message: "no-async-in-locked-access / no-async-in-execute-transaction / no-async-in-empty-selection: nothing may be awaited inside these callbacks.",
  },
  {
    selector: `${CALL("createEmptySelection")} AssignmentExpression[right.type="Identifier"]`,
    message: "no-empty-selection-escape: the selection is valid only inside its createEmptySelection() callback; use it there.",
  },
  {
    selector: `${CALL("executeTransaction")}:not(${CALL("lockedAccess")} *)`,
    message: "prefer-locked-access-wrapper: run executeTransaction() inside project.lockedAccess().",
  },
  {
    selector: `${CALL("executeTransaction")}[arguments.length<2]`,
    message: "prefer-undo-string: give executeTransaction() the undo step's name.",
  },
];

/** Flat-config entry: the rules above for the files that use the Premiere API. */
export function premiereproConfig(files) {
  return { files, rules: { "no-restricted-syntax": ["error", ...premiereproRules] } };
}
