// The login page's "Sign in with …" buttons, one per enabled identity provider.
// Each is a small POST form (with its CSRF token): starting a sign-in stores a
// pending sign-in, so it is never a GET.
import type { ProviderButton } from '../../../domain/sso/providers.js';
import type { ViewContext } from '../context.js';
import { CsrfField } from '../layout.js';

export function SsoButtons({ ctx, providers, next }: { ctx: ViewContext; providers: ProviderButton[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div class="sso-buttons">
      {providers.map((p) => (
        <form method="post" action={`/login/sso/${p.id}`}>
          <CsrfField ctx={ctx} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <button type="submit" class="secondary">
            Sign in with {p.label}
          </button>
        </form>
      ))}
      <p class="muted">Or log in with your email and password:</p>
    </div>
  );
}
