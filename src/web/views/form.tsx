// Form fields with their error message beside them: each field links its
// message through aria-describedby and marks itself aria-invalid, so screen
// readers announce what is wrong where. Values are escaped by Preact.
import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../../lib/forms.js';
import type { ViewContext } from './context.js';
import { CsrfField } from './layout.js';

interface FieldBase {
  name: string;
  label: string;
  errors?: FieldErrors;
  hint?: ComponentChildren;
  required?: boolean;
}

function describedBy(name: string, error: string | undefined, hint: unknown): string | undefined {
  const ids = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** The attributes that tie a hand-built control to its hint and error message. */
export function fieldAria(name: string, errors: FieldErrors, hint = false) {
  const error = errors[name];
  return { 'aria-invalid': error ? ('true' as const) : undefined, 'aria-describedby': describedBy(name, error, hint) };
}

/** The error message of a hand-built control, if it has one. */
export function FieldError({ name, errors }: { name: string; errors: FieldErrors }) {
  return errors[name] ? (
    <p class="field-error" id={`${name}-error`}>
      {errors[name]}
    </p>
  ) : null;
}

function Messages({ name, error, hint }: { name: string; error?: string; hint?: ComponentChildren }) {
  return (
    <>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField(
  props: FieldBase & {
    value?: string;
    type?: 'text' | 'email' | 'search' | 'number';
    autocomplete?: string;
    maxLength?: number;
  },
) {
  const { name, label, errors = {}, hint, required, value = '', type = 'text', autocomplete, maxLength } = props;
  const error = errors[name];
  return (
    <div class="field">
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        value={value}
        required={required}
        autocomplete={autocomplete}
        maxLength={maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, hint)}
      />
      <Messages name={name} error={error} hint={hint} />
    </div>
  );
}

/** Always type=password and never pre-filled: a password is not sent back to the browser. */
export function PasswordField(
  props: FieldBase & { autocomplete: 'current-password' | 'new-password'; minLength?: number; maxLength?: number },
) {
  const { name, label, errors = {}, hint, required = true, autocomplete, minLength, maxLength } = props;
  const error = errors[name];
  return (
    <div class="field">
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        type="password"
        required={required}
        autocomplete={autocomplete}
        minLength={minLength}
        maxLength={maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, hint)}
      />
      <Messages name={name} error={error} hint={hint} />
    </div>
  );
}

/** A new password and its confirmation, with the rules' length hint (registration, change, reset). */
export function NewPasswordFields(props: {
  name: string;
  label: string;
  confirmLabel: string;
  errors?: FieldErrors;
  rules: { minLength: number; maxLength: number };
}) {
  const { name, label, confirmLabel, errors, rules } = props;
  return (
    <>
      <PasswordField
        name={name}
        label={label}
        errors={errors}
        autocomplete="new-password"
        minLength={rules.minLength}
        maxLength={rules.maxLength}
        hint={`At least ${rules.minLength} characters. A few unrelated words make a strong, memorable password.`}
      />
      <PasswordField
        name={`${name}_confirm`}
        label={confirmLabel}
        errors={errors}
        autocomplete="new-password"
        maxLength={rules.maxLength}
      />
    </>
  );
}

export function SelectField(
  props: FieldBase & {
    value?: string;
    options: Array<[value: string, label: string]>;
    placeholder?: string;
  },
) {
  const { name, label, errors = {}, hint, required, value = '', options, placeholder } = props;
  const error = errors[name];
  return (
    <div class="field">
      <label for={name}>{label}</label>
      <select
        id={name}
        name={name}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, error, hint)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map(([v, l]) => (
          <option value={v} selected={v === value}>
            {l}
          </option>
        ))}
      </select>
      <Messages name={name} error={error} hint={hint} />
    </div>
  );
}

export function CheckboxField({
  name,
  label,
  checked,
  hint,
}: {
  name: string;
  label: string;
  checked?: boolean;
  hint?: ComponentChildren;
}) {
  return (
    <div class="field">
      <label class="check">
        <input type="checkbox" name={name} checked={checked} aria-describedby={hint ? `${name}-hint` : undefined} />{' '}
        {label}
      </label>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A short summary at the top of a form that has errors. */
export function ErrorSummary({ errors, message }: { errors?: FieldErrors; message?: string | null }) {
  const count = errors ? Object.values(errors).filter(Boolean).length : 0;
  if (!message && count === 0) return null;
  return (
    <div class="flash flash-error" role="alert">
      {message ??
        (count === 1 ? 'Please correct the field marked below.' : `Please correct the ${count} fields marked below.`)}
    </div>
  );
}

/** A one-button form that posts to `action` (with the CSRF token): lock, enable, remove and the like. */
export function PostButton({
  ctx,
  action,
  label,
  danger,
}: {
  ctx: ViewContext;
  action: string;
  label: string;
  danger?: boolean;
}) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit" class={`small ${danger ? 'danger' : 'secondary'}`}>
        {label}
      </button>
    </form>
  );
}
