// The page tour for an admin: see page-tour.ts.
import { pageTour } from './page-tour.js';

pageTour('admin');
