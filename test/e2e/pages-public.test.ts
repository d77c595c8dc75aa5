// The page tour for visitors (not logged in): see page-tour.ts.
import { pageTour } from './page-tour.js';

pageTour('visitor');
