// Sent to the old address once an account's address has changed, so the owner
// hears of a change they did not make.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function emailChangedMail(opts: {
  to: string;
  firstName: string;
  newEmail: string;
  /** A teacher changed it in the admin area (else the account holder, by a confirmed link). */
  byAdmin: boolean;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'email-changed',
    subject: 'Your email address has been changed',
    blocks: [
      greeting(opts.firstName),
      opts.byAdmin
        ? `A teacher who runs the Maths Society has changed the email address of your account to ${opts.newEmail}.`
        : `The email address of your Maths Society account is now ${opts.newEmail}.`,
      'From now on you log in with the new address, and emails from the society go there.',
      {
        note: 'If you did not expect this, tell a teacher who runs the society straight away: they can put it right.',
      },
    ],
  });
}
