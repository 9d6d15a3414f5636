// Pages without a live list (an article): the pipeline strip only.
import { connect } from "./live.js";

connect({}, { articles: false });
