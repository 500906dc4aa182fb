/**
 * A choice among a few values as a row of toggle buttons, in place of `<select>`: UXP does not show a `<select>`'s
 * bound value as selected (a documented known issue), while a button's look is ours to set. The value is always in
 * sight, and a click is the whole behaviour (no `<label for>`, no aria state that UXP would have to act on).
 */
export interface ChoiceOption<T extends string> {
  value: T;
  label: string;
}

export function Choice<T extends string>({
  name,
  options,
  value,
  onChange,
  disabled = false,
}: {
  /** The group's name for assistive technology; the visible label sits beside it. */
  name: string;
  options: readonly ChoiceOption<T>[];
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  return (
    <div className="choice" role="radiogroup" aria-label={name}>
      {options.map((option) => {
        const on = option.value === value;
        return (
          <button
            key={option.value}
            type="button"
            role="radio"
            aria-checked={on}
            className={`btn btn--choice${on ? " is-on" : ""}`}
            disabled={disabled}
            onClick={() => {
              if (!on) onChange(option.value);
            }}
          >
            {option.label}
          </button>
        );
      })}
    </div>
  );
}
