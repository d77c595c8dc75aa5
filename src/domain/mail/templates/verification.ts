// "Confirm your email address": the link of a new account, of "send the link
// again", and of an address an admin has just changed.
import { plural } from '../../../lib/plural.js';
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function verificationMail(opts: {
  to: string;
  firstName: string;
  link: string;
  hours: number;
  /** Registered for this competition. */
  competitionName?: string;
  /** A teacher changed the account's address to this one. */
  changedByAdmin?: boolean;
}): OutgoingMail {
  const why = opts.changedByAdmin
    ? 'A teacher who runs the Maths Society has changed the email address of your account to this one.'
    : opts.competitionName
      ? `Thank you for registering for ${opts.competitionName}.`
      : 'Thank you for joining the Maths Society.';
  return composeMail({
    to: opts.to,
    kind: 'verify-email',
    subject: 'Confirm your email address',
    blocks: [
      greeting(opts.firstName),
      why,
      `Confirm that this address is yours to start answering challenges. The link works for ${plural(opts.hours, 'hour')}, once.`,
      { link: opts.link, label: 'Confirm my email' },
      {
        note: 'If you did not ask for this, ignore this email: the account stays unconfirmed and can do nothing.',
      },
    ],
  });
}
