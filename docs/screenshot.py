"""Makes docs/sadtui.svg (run from tests/: PYTHONPATH=../src python ../docs/screenshot.py 120 30 ../docs/sadtui.svg)."""
import asyncio, sys
sys.path.insert(0, ".")
from fake_engine import FactoryRecorder
from sadtui.model.playlist import load_playlist
from tui_helpers import SadtuiTestApp, settle, wait_for, screen_text
async def main(w, h, out=None):
    app = SadtuiTestApp(load_playlist(), engine_factory=FactoryRecorder(), remember=False)
    async with app.run_test(size=(w, h)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None)
        await pilot.press("j", "j", "enter")
        await wait_for(pilot, lambda: app.main.status.state.value == "playing")
        app.engine.progress(75.0)
        await settle(pilot)
        print(screen_text(app))
        if out:
            app.save_screenshot(filename=out)
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
