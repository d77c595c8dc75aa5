// The page tour for a teacher (the teaching part of the admin area, their classes): see page-tour.ts.
import { pageTour } from './page-tour.js';

pageTour('teacher');
