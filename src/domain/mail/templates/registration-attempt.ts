// Sent to an address that already has an account when someone tries to
// register it (or to move another account to it): the form gives everyone the
// same answer, so this is how the owner learns of it. Nothing was changed.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function registrationAttemptMail(opts: {
  to: string;
  firstName: string | null;
  /** The existing account's address is confirmed (else it still waits for its link). */
  confirmed: boolean;
  loginLink: string;
  attempt: 'register' | 'change';
  competitionName?: string;
}): OutgoingMail {
  const what =
    opts.attempt === 'change'
      ? 'Someone asked to move another Maths Society account to this email address.'
      : opts.competitionName
        ? `Someone tried to register for ${opts.competitionName} with this email address.`
        : 'Someone tried to create a Maths Society account with this email address.';
  const account = opts.confirmed
    ? 'This address already has an account, so nothing was created and nothing about your account has changed.'
    : 'This address already has an account that is waiting for its address to be confirmed. Nothing about it has changed.';
  const next = opts.confirmed
    ? opts.competitionName
      ? 'If it was you, you do not need a new account: log in with this address and join the competition from its page.'
      : 'If it was you, you do not need a new account: log in with this address.'
    : // The mailbox is the proof: a reset link sent here lets the real owner take the account over.
      'If you made that account, log in and press "Send the link again". If you did not, the account can still be yours: choose your own password with "Forgot your password?" on the login page (that confirms the address), then ask a teacher who runs the society to correct the name if it is wrong.';
  return composeMail({
    to: opts.to,
    kind: 'registration-attempt',
    subject: 'Someone tried to use your email address',
    blocks: [
      greeting(opts.firstName),
      what,
      account,
      next,
      { link: opts.loginLink, label: 'Log in' },
      { note: 'If it was not you, you can ignore this email: no one can use your address without your mailbox.' },
    ],
  });
}
