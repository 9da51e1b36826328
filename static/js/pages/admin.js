// Every admin page: the words of its maps' controls in the planner's language.
import "../lib/leaflet-words.js";
