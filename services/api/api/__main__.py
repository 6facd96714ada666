from printcore.health import serve

from api.app import Handler

serve(Handler, 8080).serve_forever()
