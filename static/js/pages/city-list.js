// `/cities/`: the region filter applies as soon as a region is chosen.
import { autosubmit } from "../lib/forms.js";

autosubmit();
