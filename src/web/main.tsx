// The page's entry: the stored theme, one store, one App.

import { render } from "preact";
import { AppStore } from "./store/app-store";
import { App } from "./ui/app";
import { applyStoredTheme } from "./ui/theme";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/chat-list.css";
import "./styles/conversation.css";
import "./styles/settings.css";
import "./styles/reactions.css";

applyStoredTheme();
const root = document.getElementById("app");
if (root) render(<App store={new AppStore()} />, root);
