// Sent to the new address when an account holder asks to change theirs: the
// change happens only when this link is used.
import { plural } from '../../../lib/plural.js';
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function confirmNewEmailMail(opts: {
  to: string;
  firstName: string;
  link: string;
  hours: number;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'change-email',
    subject: 'Confirm your new email address',
    blocks: [
      greeting(opts.firstName),
      'You asked to use this email address for your Maths Society account.',
      `Confirm it to make the change. The link works for ${plural(opts.hours, 'hour')}, once; until then your old address stays.`,
      { link: opts.link, label: 'Confirm my new email' },
      { note: 'If you did not ask for this, ignore this email: nothing changes unless the link is used.' },
    ],
  });
}
