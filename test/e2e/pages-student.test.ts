// The page tour for a logged-in student: see page-tour.ts.
import { pageTour } from './page-tour.js';

pageTour('student');
