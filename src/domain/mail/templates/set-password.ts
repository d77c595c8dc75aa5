// The "set your password" email a pupil gets when an admin imports them from
// the school's list: their account exists, and the link chooses its first
// password (the reset-password link of ADR 022, valid for longer).
import { plural } from '../../../lib/plural.js';
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function setPasswordMail(opts: {
  to: string;
  firstName: string;
  schoolName: string;
  link: string;
  days: number;
  forgotLink: string;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'set-password',
    subject: 'Your Maths Society account: set your password',
    blocks: [
      greeting(opts.firstName),
      `${opts.schoolName} has given you an account on the Maths Society website, where you can solve the weekly maths challenges and see the leaderboards. Your account uses this email address.`,
      'Use the button below to choose your password. After that, sign in with this address and that password.',
      { link: opts.link, label: 'Set your password' },
      `The link works once, for ${plural(opts.days, 'day')}. If it has run out, use “Forgot your password?” on the login page to get a new one: ${opts.forgotLink}`,
      {
        note: 'If you were not expecting this, ask your teacher. Do not forward this email: the link lets whoever has it set the password of your account.',
      },
    ],
  });
}
