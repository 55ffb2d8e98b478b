"""`leadpipe web`: the workspace for sales and marketing, and its users.

`leadpipe web` serves the pages (behind a reverse proxy that terminates TLS when other
machines reach it); `leadpipe web user add NAME --role sales` creates a login.
"""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from leadpipe.cli.common import DbOption, console, settings_for, user_errors, user_failure

app = typer.Typer(help="The web workspace for sales and marketing.",
                  invoke_without_command=True)
user_app = typer.Typer(help="Workspace users and their roles.", no_args_is_help=True)
app.add_typer(user_app, name="user")

RoleName = Literal["sales", "marketing", "admin"]


@app.callback()
def web(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8090,
    db: DbOption = None,
) -> None:
    """Serve the workspace (lead lists, exports, outcomes, uploads, review, runs)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from workspace.app import create_app
    from workspace.config import load_workspace_config
    from workspace.store import Store, store_path

    settings = settings_for(db)
    with user_errors():
        config = load_workspace_config(settings.config_dir).value
    store = Store(store_path(settings.data_dir))
    if not store.users():
        console.print("No workspace user yet: create one with "
                      "`leadpipe web user add NAME --role admin`.", highlight=False)
    console.print(f"leadpipe workspace on http://{host}:{port}/ (warehouse {settings.db_path})",
                  highlight=False)
    uvicorn.run(create_app(settings, config, store), host=host, port=port,
                proxy_headers=False, server_header=False, access_log=False, log_level="warning")


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[RoleName, typer.Option(
        help="sales (lists, details, exports, outcomes), marketing (plus uploads, review, "
             "runs) or admin (plus users, GDPR requests, consent look-ups).")] = "sales",
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create a workspace user (the password is stored as an Argon2id hash)."""
    from workspace.auth import BadPassword, hash_password
    from workspace.store import Store, UserExists, store_path

    settings = settings_for(db)
    try:
        hashed = hash_password(_password(password_stdin))
        Store(store_path(settings.data_dir)).add_user(username.strip(), role, hashed)
    except (BadPassword, UserExists) as exc:
        raise user_failure(str(exc)) from exc
    console.print(f"User {username} ({role}) created.", highlight=False)


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Set a new password (the user's open sessions end)."""
    from workspace.auth import BadPassword, hash_password
    from workspace.store import Store, UnknownUser, store_path

    try:
        Store(store_path(settings_for(db).data_dir)).set_password(
            username, hash_password(_password(password_stdin)))
    except (BadPassword, UnknownUser) as exc:
        raise user_failure(str(exc)) from exc
    console.print(f"Password of {username} changed.", highlight=False)


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable again instead.")] = False,
    db: DbOption = None,
) -> None:
    """Lock a user out (their sessions end at once), or let them in again with --enable."""
    from workspace.store import Store, UnknownUser, store_path

    try:
        Store(store_path(settings_for(db).data_dir)).set_disabled(username, not enable)
    except UnknownUser as exc:
        raise user_failure(str(exc)) from exc
    console.print(f"User {username} {'enabled' if enable else 'disabled'}.", highlight=False)


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """The workspace's users and their roles."""
    from workspace.store import Store, store_path

    for user in Store(store_path(settings_for(db).data_dir)).users():
        state = " (disabled)" if user.disabled else ""
        console.print(f"{user.username}\t{user.role}{state}", highlight=False)
