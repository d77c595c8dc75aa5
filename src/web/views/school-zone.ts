// The school's time zone (SCHOOL_TIMEZONE) for components deep in a page that
// show dates, such as <Day>, without threading it through every view's props.
// The render plugin provides it around every page.
import { createContext } from 'preact';

export const SchoolZone = createContext('Europe/London');
