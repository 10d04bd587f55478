/** The Dutch calendar: dates, ages and moments as the rules count them (Europe/Amsterdam). */
export {
  DUTCH_TIME_ZONE,
  isCalendarDate,
  addDays,
  addYears,
  daysBetween,
  ageOn,
  earlierDate,
  laterDate,
  dutchDate,
  todayInAmsterdam,
  amsterdamOffsetMs,
  amsterdamOffset,
  startOfDutchDay,
  localDateTime,
  parseMoment,
} from './dutch-calendar';
