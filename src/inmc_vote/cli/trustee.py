"""`inmc-vote trustee`: a trustee's part of a ballot, run on the trustee's own machine.

The key ceremony: `join` (make the key file, send the certificate), `deal` (once every
trustee has joined), `check` (once every trustee has dealt: check the shares, send the
key or a complaint), `status` (where the ceremony stands). The tally: `shuffle` (once
the vote is closed), then `decrypt` (once the threshold of trustees have shuffled).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inmc_vote.cli.common import Subparsers, actions, fail

if TYPE_CHECKING:
    from inmc_vote.tools.trustee import TrusteeFile
    from inmc_vote.tools.trustee_client import TrusteeClient

KEY_FILE_HELP = "your trustee key file (made by `join`; mode 600; keep it until the tally)"


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    trustee_sub = actions(
        subparsers,
        "trustee",
        help="a trustee's part: the key ceremony, then the tally",
        description="A trustee holds a share of the key the votes are encrypted to. With "
        "its invitation from the organiser it joins the key ceremony, deals shares to the "
        "other trustees, checks the shares it got, and at the tally shuffles and decrypts. "
        "Everything secret stays in its key file, on its own machine.",
    )
    join = trustee_sub.add_parser(
        "join",
        help="make your key file and send your certificate (ceremony step 1)",
        description="Make your trustee key file (FILE, mode 600, never overwritten) with "
        "fresh secrets: a signing key, an encryption key and a lot secret. Then send the "
        "certificate (their public halves) to the server with your invitation. Running it "
        "again with the same FILE and invitation sends the same certificate again.",
    )
    join.add_argument("--server", required=True, metavar="URL", help="the voting server")
    join.add_argument("--ballot", required=True, metavar="ID", help="the ballot's id")
    join.add_argument(
        "--invitation",
        required=True,
        metavar="SECRET",
        help="your invitation from the organiser, a secret: the ceremony, your number, "
        "then 43 characters (e.g. 1.2.Qk7…)",
    )
    join.add_argument("--key-file", required=True, metavar="FILE", help=KEY_FILE_HELP)
    join.set_defaults(func=_command(_join))

    deal = trustee_sub.add_parser(
        "deal",
        help="send your deal, once every trustee has joined (ceremony step 2)",
        description="Once every trustee has joined: draw a secret polynomial (kept in the "
        "key file), commit to it and send each trustee its share, encrypted to that "
        "trustee's key. Safe to run again: a deal the server holds is not sent twice.",
    )
    deal.add_argument("--key-file", required=True, metavar="FILE", help=KEY_FILE_HELP)
    deal.set_defaults(func=_command(_deal))

    check = trustee_sub.add_parser(
        "check",
        help="check your shares and send your key, once every trustee has dealt (step 3)",
        description="Once every trustee has dealt: open the shares sent to you and check "
        "each against its dealer's commitments. All good: your key share goes into the "
        "key file and your public key, with a proof, to the server (the last key completes "
        "the ceremony). A bad share: a complaint naming its dealer is sent instead, and the "
        "ceremony fails (the organiser names the trustees again).",
    )
    check.add_argument("--key-file", required=True, metavar="FILE", help=KEY_FILE_HELP)
    check.set_defaults(func=_command(_check))

    status = trustee_sub.add_parser(
        "status",
        help="show where the key ceremony stands and what to do next",
        description="Show the ceremony of the key file's ballot: each trustee and what it "
        "has sent, and what comes next. Sends nothing.",
    )
    status.add_argument("--key-file", required=True, metavar="FILE", help=KEY_FILE_HELP)
    status.set_defaults(func=_command(_status))

    for name, step, what in (
        (
            "shuffle",
            _shuffle,
            "Once the vote is closed: download the round's last list (the sealed board's "
            "ciphertexts, or the last shuffle's output), re-encrypt it in a secret order on "
            "this machine, and send it with its proof. At most once per round; no shuffle "
            "is taken after the first decryption. The tally needs the threshold of shuffles.",
        ),
        (
            "decrypt",
            _decrypt,
            "Once the threshold of trustees have shuffled: download the last shuffle's "
            "output and send your share of its decryption, with a proof for each ciphertext "
            "and your lot reveal for the round. At most once per round. The tally needs the "
            "threshold of decryptions.",
        ),
    ):
        command = trustee_sub.add_parser(
            name, help=f"{name} a closed round's ballots (the tally)", description=what
        )
        command.add_argument("--key-file", required=True, metavar="FILE", help=KEY_FILE_HELP)
        command.add_argument(
            "--round", type=int, default=None, metavar="N", help="the round (default: the current)"
        )
        command.set_defaults(func=_command(step))


def _command(step: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], int]:
    """The command that runs `step`, turning every refusal into a sentence and exit
    status 1."""

    def run(args: argparse.Namespace) -> int:
        from inmc_vote.domain.protocol.ceremony import CeremonyError
        from inmc_vote.domain.protocol.key_files import KeyFileError
        from inmc_vote.tools.mixing import MixError
        from inmc_vote.tools.trustee import TrusteeError

        try:
            step(args)
        except (TrusteeError, KeyFileError, CeremonyError, MixError) as error:
            return fail(str(error))
        return 0

    return run


def _shuffle(args: argparse.Namespace) -> None:
    from inmc_vote.tools import mixing

    with _client(args) as (_path, file, client):
        done = mixing.shuffle_round(client, mixing.secrets_of(file), args.round)
    print(
        f"Your shuffle of round {done['round']} is in, as shuffle {done['index']} "
        f"(hash {done['hash']})."
    )


def _decrypt(args: argparse.Namespace) -> None:
    from inmc_vote.tools import mixing

    with _client(args) as (_path, file, client):
        done = mixing.decrypt_round(client, mixing.secrets_of(file), args.round)
    print(f"Your decryption of round {done['round']} is in (hash {done['hash']}).")


@contextmanager
def _client(args: argparse.Namespace) -> Iterator[tuple[Path, TrusteeFile, TrusteeClient]]:
    """The key file named by --key-file, and a client to its server."""
    from inmc_vote.tools.trustee import read_key_file
    from inmc_vote.tools.trustee_client import TrusteeClient

    path = Path(args.key_file)
    file = read_key_file(path)
    with TrusteeClient.of(file) as client:
        yield path, file, client


def _next_step(state: dict[str, Any], file: TrusteeFile, path: Path) -> None:
    from inmc_vote.tools.trustee import next_step

    print(next_step(state, file.trustee).replace("FILE", str(path)))


def _join(args: argparse.Namespace) -> None:
    from inmc_vote.tools import trustee
    from inmc_vote.tools.trustee_client import TrusteeClient

    path = Path(args.key_file)
    made = trustee.new_trustee_file(args.server, args.ballot, args.invitation)
    if path.exists():
        file = trustee.read_key_file(path)
        if (file.ballot, file.invitation) != (made.ballot, made.invitation):
            raise trustee.TrusteeError(
                f"{path} already exists, for another ballot or invitation: it is not "
                "overwritten. Choose another file name."
            )
        print(f"{path} already holds your secrets for this invitation: using it.")
    else:
        file = made
        with TrusteeClient.of(file) as client:
            state = client.state()  # before writing anything: the ballot and ceremony exist
        trustee.certificate_message(file, state)  # this invitation's ceremony is current
        trustee.create_key_file(path, file)
        print(f"Made your key file {path} (mode 600). Keep it private, with a backup copy.")
    with TrusteeClient.of(file) as client:
        state = client.state()
        name = _name(state, file.trustee)
        if trustee.already_sent(file, state, "certificate"):
            print(f"Your certificate was already in: you are trustee {file.trustee} ({name}).")
        else:
            client.send(
                "certificate", trustee.message_bytes(trustee.certificate_message(file, state))
            )
            print(f"Sent your certificate: you are trustee {file.trustee} ({name}).")
        _next_step(client.state(), file, path)


def _deal(args: argparse.Namespace) -> None:
    from inmc_vote.tools import trustee

    with _client(args) as (path, file, client):
        state = client.state()
        if file.polynomial is not None and trustee.already_sent(file, state, "deal"):
            print("Your deal was already in: nothing sent.")
        else:
            message, file = trustee.deal_message(file, state)
            trustee.update_key_file(path, file)  # the polynomial first: a retry resends it
            client.send("deal", trustee.message_bytes(message))
            print(f"Sent your deal: a share for each of the {state['size']} trustees.")
        _next_step(client.state(), file, path)


def _check(args: argparse.Namespace) -> None:
    from inmc_vote.tools import trustee

    with _client(args) as (path, file, client):
        state = client.state()
        if file.share is not None and trustee.already_sent(file, state, "key"):
            print("Your key was already in: nothing sent.")
        else:
            checked = trustee.check_message(file, state)
            if checked.kind == "key":
                trustee.update_key_file(path, checked.file)  # the share first
                client.send("key", trustee.message_bytes(checked.message))
                print(
                    f"All {state['size']} shares sent to you are good. Your key share is in "
                    f"{path}; your public key was sent."
                )
            else:
                client.send("complaint", trustee.message_bytes(checked.message))
                print(
                    f"The share from trustee {checked.about} failed its check "
                    f"({checked.reason}). A complaint was sent: the ceremony has failed, and "
                    "the organiser must name the trustees again."
                )
        _next_step(client.state(), file, path)


def _status(args: argparse.Namespace) -> None:
    with _client(args) as (path, file, client):
        state = client.state()
    print(
        f"Ballot {file.ballot} on {file.server}: ceremony {state['ceremony']}, "
        f"{state['threshold']} of {state['size']} trustees needed to decrypt; "
        f"state: {state['phase']}."
    )
    for member in state["trustees"]:
        sent = [k for k in ("certificate", "deal", "key", "complaint") if member[k] is not None]
        mark = " (you)" if member["index"] == file.trustee else ""
        print(f"  {member['index']}. {member['name']}{mark}: {', '.join(sent) or 'nothing yet'}")
    if state["election_key"]:
        print(f"Election key: {state['election_key']}")
    if state["ceremony"] != file.ceremony:
        print(
            f"This key file is for ceremony {file.ceremony}: the organiser named the trustees "
            "again. Ask for your new invitation and join again with a new key file."
        )
        return
    print(f"Your key share is {'in' if file.share is not None else 'not yet in'} {path}.")
    _next_step(state, file, path)


def _name(state: dict[str, Any], index: int) -> str:
    return next((m["name"] for m in state["trustees"] if m["index"] == index), "?")
