// The "reset your password" email: the link, how long it works, and what to do
// if the person did not ask.
import { plural } from '../../../lib/plural.js';
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function passwordResetMail(opts: {
  to: string;
  firstName: string;
  link: string;
  minutes: number;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'password-reset',
    subject: 'Reset your Maths Society password',
    blocks: [
      greeting(opts.firstName),
      'Someone, hopefully you, asked to reset the password of your Maths Society account. Use the button below to choose a new one.',
      { link: opts.link, label: 'Choose a new password' },
      `The link works once, for ${plural(opts.minutes, 'minute')}. Choosing a new password signs you out everywhere.`,
      {
        note: 'If you did not ask for this, you can ignore this email: your password stays as it is. Do not forward it: the link lets whoever has it change your password.',
      },
    ],
  });
}
