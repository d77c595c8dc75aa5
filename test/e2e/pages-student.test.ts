// The page tour for a logged-in student, and for a pupil who has not yet said their school year: see page-tour.ts.
import { pageTour } from './page-tour.js';

pageTour('student', 'newcomer');
