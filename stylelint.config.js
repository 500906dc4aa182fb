/**
 * The CSS the panel may use: what UXP (the runtime of Premiere Pro plugins) renders. A disallow list built from
 * Adobe's UXP CSS reference and known issues (developer.adobe.com/premiere-pro/uxp, uxp-api/known-issues and
 * reference-css): a property UXP ignores renders in the browser harness but not in Premiere, so the harness would
 * show a panel the editor never sees. `npm run lint:css` checks panel/ui; `npm test` runs it.
 */
export default {
  rules: {
    // "CSS Grid Layout is not available"; transitions, animations, text-transform and the font shorthand are known
    // issues; resize, appearance and object-fit are not in UXP's property list and do nothing there
    "property-disallowed-list": [
      "/^grid/",
      "gap",
      "row-gap",
      "column-gap",
      "/^transition/",
      "/^animation/",
      "text-transform",
      "font",
      "resize",
      "/appearance$/",
      "object-fit",
      "clip",
      "transform",
    ],
    "declaration-property-value-disallowed-list": {
      display: ["grid", "inline-grid", "contents", "table", "/^table-/", "list-item"],
      // baseline alignment is documented as buggy
      "/^align-/": ["baseline", "first baseline", "last baseline"],
      position: ["sticky"],
    },
    "at-rule-disallowed-list": ["keyframes", "container", "layer"],
    // only ::before and ::after exist: no ::placeholder, no ::-webkit-*
    "selector-pseudo-element-allowed-list": ["before", "after"],
    // :disabled works only on <input> in UXP: style disabled buttons with [disabled]; :focus-visible and
    // :focus-within, :has and :is are not in UXP's pseudo-class list
    "selector-pseudo-class-disallowed-list": ["disabled", "enabled", "focus-visible", "focus-within", "has", "is", "where", "placeholder-shown"],
    // vendor prefixes target browsers, not UXP
    "property-no-vendor-prefix": true,
    "selector-no-vendor-prefix": true,
    "value-no-vendor-prefix": [true, { ignoreValues: ["-apple-system"] }],
  },
};
