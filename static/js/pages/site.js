// What every page of the portal does, whatever else it has.
import { keepStateOnLanguageSwitch } from "../lib/language-switcher.js";

keepStateOnLanguageSwitch();
