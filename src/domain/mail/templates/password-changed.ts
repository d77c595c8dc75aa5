// Told to the account's owner whenever its password changes, so a change they
// did not make does not go unnoticed.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

/** How the password changed: a reset link, the profile page, or an admin's one-time password. */
export type PasswordChangeWay = 'reset-link' | 'profile' | 'admin';

const WHAT: Record<PasswordChangeWay, string> = {
  'reset-link':
    'The password of your Maths Society account was just changed with a password-reset link sent to this address. You have been signed out everywhere.',
  profile:
    'The password of your Maths Society account was just changed on its profile page. Every other device has been signed out.',
  admin:
    'A teacher who runs the Maths Society has reset the password of your account. They will give you a one-time password, which you must change when you next log in. You have been signed out everywhere.',
};

export function passwordChangedMail(opts: {
  to: string;
  firstName: string;
  way: PasswordChangeWay;
  /** Where to ask for a reset link ("forgot your password"), as an absolute link. */
  forgotLink: string | null;
}): OutgoingMail {
  const help =
    opts.way === 'admin'
      ? 'If you did not expect this, tell a teacher who runs the society.'
      : 'If this was not you, choose a new password now with a reset link, and tell a teacher who runs the society.';
  return composeMail({
    to: opts.to,
    kind: 'password-changed',
    subject: 'Your Maths Society password was changed',
    blocks: [
      greeting(opts.firstName),
      WHAT[opts.way],
      help,
      ...(opts.forgotLink && opts.way !== 'admin' ? [{ link: opts.forgotLink, label: 'Reset my password' }] : []),
      { note: 'You are receiving this because your address belongs to a Maths Society account.' },
    ],
  });
}
