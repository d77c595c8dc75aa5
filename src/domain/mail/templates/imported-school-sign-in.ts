// The welcome email for a pupil imported into a school that signs in with its
// own Microsoft or Google accounts: there is no password to set, only the
// school account to sign in with.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function importedSchoolSignInMail(opts: {
  to: string;
  firstName: string;
  schoolName: string;
  loginLink: string;
}): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'imported-school-sign-in',
    subject: 'Your Maths Society account',
    blocks: [
      greeting(opts.firstName),
      `${opts.schoolName} has given you an account on the Maths Society website, where you can solve the weekly maths challenges and see the leaderboards.`,
      `You sign in with your school account (the one of this email address): open the login page and choose your school's sign-in button. There is no separate password to remember.`,
      { link: opts.loginLink, label: 'Go to the login page' },
      { note: 'If you were not expecting this, ask your teacher.' },
    ],
  });
}
