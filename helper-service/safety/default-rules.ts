/**
 * The built-in block list. Deliberately short: it covers what no editor needs to generate; studios add their
 * own rules in DATA_DIR/policy.json (or turn these off with "useDefaults": false, at their own responsibility).
 */
import type { z } from "zod";
import type { PolicyRuleSchema } from "./policy.js";

type RuleInput = z.input<typeof PolicyRuleSchema>;

export const DEFAULT_RULES: readonly RuleInput[] = [
  {
    id: "minors-sexual",
    reason: "sexual content involving minors is never generated",
    all: [
      [
        "child*",
        "kid*",
        "minor*",
        "underage*",
        "preteen*",
        "teen*",
        "schoolgirl*",
        "schoolboy*",
        "toddler*",
        "infant*",
        "baby",
        "babies",
        "boy",
        "boys",
        "girl",
        "girls",
        "loli*",
        "shota*",
      ],
      ["nude*", "naked", "nsfw", "porn*", "erotic*", "sexual*", "sexy", "lewd*", "undress*", "topless", "explicit"],
    ],
  },
  {
    id: "sexual-violence",
    reason: "depictions of sexual violence are not generated",
    terms: ["rape", "raped", "rapes", "raping", "rapist*", "sexual assault*", "sexual abuse*", "molest*"],
  },
];
