// The page's entry: one store, one App.

import { render } from "preact";
import { AppStore } from "./store/app-store";
import { App } from "./ui/app";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App store={new AppStore()} />, root);
