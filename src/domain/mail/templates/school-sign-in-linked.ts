// Told to an account's owner when a school sign-in (ADR 031) is first linked to
// their existing account by its address, so a link they did not make does not
// go unnoticed; and, when the link took the account over, that its password
// and sessions have gone.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function schoolSignInLinkedMail(opts: {
  to: string;
  firstName: string;
  provider: string;
  /** The password was replaced and every session ended (a registration nobody had proved). */
  passwordRemoved: boolean;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'school-sign-in-linked',
    subject: `Your Maths Society account can now be opened with ${opts.provider}`,
    blocks: [
      greeting(opts.firstName),
      `Your Maths Society account can now be opened with ${opts.provider}; if this was not you, tell the school.`,
      ...(opts.passwordRemoved
        ? [
            `Because the account was registered on this site but never proved to belong to this address’s owner, its password has been removed and every device signed out. Sign in with the “${opts.provider}” button from now on.`,
          ]
        : []),
      { note: 'You are receiving this because your address belongs to a Maths Society account.' },
    ],
  });
}
