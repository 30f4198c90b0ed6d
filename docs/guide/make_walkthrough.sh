#!/usr/bin/env bash
# Regenerate the command output shown in docs/guide/*.md.
#
#   SCREENSHOT=$PWD/docs/guide/dashboard.png docs/guide/make_walkthrough.sh > docs/guide/walkthrough.txt
#
# Builds a throwaway publication in a temporary directory, with real git, real
# `ssh-keygen` keys and a bare "origin" repository, and plays every role in turn:
# the content lead sets it up, the editor writes and submits, two clinical reviewers
# (an LPC and an MD) review and sign, CI gates and publishes, the content lead looks at
# the whole catalogue. Each person has their own HOME, git config (GIT_CONFIG_GLOBAL),
# SSH key and clone, so nothing touches your real home directory or git config.
#
# Output: one block per command, "$ command" then what it printed, then "[exit N]" when
# the exit code is not 0. Lines starting with "####" name the section of the guide.
# Temporary paths are shown as they would be on a person's machine: ~/site.
#
# Needs: reviewkit on PATH (or in ../../.venv), git, OpenSSH 8.8+ (ssh-keygen, ssh-agent).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v reviewkit >/dev/null && [ -x "$HERE/../../.venv/bin/reviewkit" ]; then
  PATH="$HERE/../../.venv/bin:$PATH"
fi
command -v reviewkit >/dev/null || { echo "reviewkit is not on PATH" >&2; exit 3; }
PY=$(head -1 "$(command -v reviewkit)" | sed 's/^#!//')   # the Python reviewkit runs under
case "$PY" in */python*) ;; *) PY=python3 ;; esac

T=$(mktemp -d "${TMPDIR:-/tmp}/reviewkit-guide.XXXXXX")
AGENT_PID=""
AGENT_SOCK=""
cleanup() {
  if [ -n "$AGENT_PID" ]; then kill "$AGENT_PID" 2>/dev/null; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 REVIEWKIT_NO_PROGRESS=1
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE SSH_AUTH_SOCK SSH_AGENT_PID
ORIGIN="$T/origin.git"
export HOME="$T" GIT_CONFIG_GLOBAL="$T/.gitconfig"   # until we become someone

# --- output helpers --------------------------------------------------------------------
sanitize() {
  sed -e "s#$ORIGIN#git@git.example.org:health/site.git#g" \
      -e "s#$T/[a-z]*/site#~/site#g" \
      -e "s#$T/[a-z]*/#~/#g" \
      -e "s#$T/[a-z]*#~#g" \
      -e "s#$T#/tmp/…#g"
}
section() { printf '\n#### %s\n' "$*"; }
note() { printf '# %s\n' "$*"; }
# run 'COMMAND' — show it, run it in the current person's shell, show output and exit code
run() {
  printf '$ %s\n' "$1" | sanitize
  local out rc
  out=$( eval "$1" 2>&1 ); rc=$?
  [ -n "$out" ] && printf '%s\n' "$out" | sanitize
  [ "$rc" -ne 0 ] && printf '[exit %s]\n' "$rc"
  return 0
}
# quiet 'COMMAND' — a step that is not part of the guide (still must succeed)
quiet() {
  local out
  if ! out=$( eval "$1" 2>&1 ); then
    printf 'setup step failed: %s\n%s\n' "$1" "$out" >&2; exit 4
  fi
}

# --- people ----------------------------------------------------------------------------
# as PERSON: become that person (own HOME, own git config, inside their clone if any)
as() {
  export HOME="$T/$1" GIT_CONFIG_GLOBAL="$T/$1/.gitconfig"
  mkdir -p "$HOME"
  if [ "$1" = samuel ] && [ -n "$AGENT_SOCK" ]; then export SSH_AUTH_SOCK=$AGENT_SOCK; else unset SSH_AUTH_SOCK; fi
  if [ -d "$HOME/site" ]; then cd "$HOME/site"; else cd "$HOME"; fi
}
person() {  # person HOMEDIR "Name" email
  mkdir -p "$T/$1/.ssh"; chmod 700 "$T/$1/.ssh"
  git config --file "$T/$1/.gitconfig" user.name "$2"
  git config --file "$T/$1/.gitconfig" user.email "$3"
  git config --file "$T/$1/.gitconfig" init.defaultBranch main
  git config --file "$T/$1/.gitconfig" pull.rebase false
}
person priya  "Priya Raman"     p.raman@example.org      # content lead, registry admin
person jordan "Jordan Lee"      j.lee@example.org        # editor
person dana   "Dana Whitfield"  d.whitfield@example.org  # clinical reviewer, LPC
person samuel "Samuel Osei"     s.osei@example.org       # clinical reviewer, MD
# Keys: Dana and Jordan use the default ~/.ssh/id_ed25519 (no passphrase); Samuel keeps a
# passphrase-protected key that git knows as user.signingkey and loads into ssh-agent.
ssh-keygen -q -t ed25519 -N '' -C dana@laptop -f "$T/dana/.ssh/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C jordan@laptop -f "$T/jordan/.ssh/id_ed25519"
ssh-keygen -q -t ed25519 -N 'correct horse battery' -C samuel@clinic \
  -f "$T/samuel/.ssh/reviewkit_ed25519"
git config --file "$T/samuel/.gitconfig" user.signingkey '~/.ssh/reviewkit_ed25519'
git init -q --bare -b main "$ORIGIN"
clone() { git clone -q "$ORIGIN" "$T/$1/site" 2>/dev/null; }

# --- article text ----------------------------------------------------------------------
# write_body FILE SUBJECT: replace the template's description and everything after the
# front matter with a short article about SUBJECT. No byline and no editorial-process
# section: those are page chrome that `publish` and the site template add.
write_body() {
  "$PY" - "$1" "$2" <<'EOF'
import re, sys
path, subject = sys.argv[1:3]
text = open(path, encoding="utf-8").read()
front = text.split("\n---\n", 1)[0] + "\n---\n"
front = re.sub(r"(?m)^description:.*$",
               'description: "Signs to watch for, what can help, and where to find care."',
               front, count=1)
body = f"""Many people live with {subject}. This page explains what it can look like and what
can help.

## Three signs to watch for

- You feel tired most days, even after rest.
- Small tasks feel much harder than they used to.
- You pull back from people you care about.

## What can help

Talk with someone you trust. Keep a simple daily routine. Go outside for a short walk each
day. A licensed therapist can help you find the steps that fit your life.

## Find care

If you are struggling, talk to your doctor or a licensed mental health professional. If you
are in crisis, call or text 988 to reach the 988 Suicide & Crisis Lifeline (US).
"""
open(path, "w", encoding="utf-8").write(front + body)
EOF
}
# set_field FILE KEY VALUE: change one front-matter line "KEY: ..."
set_field() { "$PY" - "$@" <<'EOF'
import re, sys
path, key, value = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
head, sep, body = text.partition("\n---\n")
head = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", head, count=1)
open(path, "w", encoding="utf-8").write(head + sep + body)
EOF
}
# backdate KIND PATH DAYS_AGO ACTOR [KEY]: record an event as if DAYS_AGO days ago, through
# the library (the CLI always uses the current time). Signatures are real.
backdate() { "$PY" - "$@" <<'EOF'
import datetime as dt, sys
from reviewkit.record.project import load_project
from reviewkit.review.workflow import record
kind, path, days, actor = sys.argv[1:5]
key = sys.argv[5] if len(sys.argv) > 5 else None
when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=float(days))
extra = {"reviewer": "dwhitfield"} if kind == "submitted" else {}
record(load_project("."), kind, path, as_id=actor, key=key, now=when,
       message="" if kind != "approved" else "Accurate; plain language.", **extra)
EOF
}

########################################################################################
section "content-lead: setting up the repository"
as priya
mkdir -p "$HOME/site"; cd "$HOME/site"
run 'git init -q && git remote add origin '"$ORIGIN"
run 'reviewkit init'
note "Priya puts the people in reviewers.yaml, with the public keys they sent her."
DANA_PUB=$(cat "$T/dana/.ssh/id_ed25519.pub")
JORDAN_PUB=$(cat "$T/jordan/.ssh/id_ed25519.pub")
SAMUEL_PUB=$(cat "$T/samuel/.ssh/reviewkit_ed25519.pub")
cat > reviewers.yaml <<EOF
# Who may sign off on clinical content. Under \`reviewkit gate --trust-ref BASE\` this file
# is read from BASE, so a pull request cannot add its own reviewer.
reviewers:
  - id: dwhitfield
    name: Dana Whitfield
    email: d.whitfield@example.org
    roles: [clinical_reviewer]
    credentials:
      - type: LPC
        license: "LPC-4471"
        region: US-OR
        expires: 2027-09-30
    keys:
      - $DANA_PUB
  - id: sosei
    name: Samuel Osei
    email: s.osei@example.org
    roles: [clinical_reviewer]
    credentials:
      - type: MD
        license: "MD-20931"
        region: US-WA
        expires: 2028-03-31
    keys:
      - key: $SAMUEL_PUB
        valid_after: 2025-01-01
  - id: jlee
    name: Jordan Lee
    email: j.lee@example.org
    roles: [editor]
    keys:
      - $JORDAN_PUB
  - id: praman
    name: Priya Raman
    email: p.raman@example.org
    roles: [admin]
EOF
run 'sed -n "4,16p" reviewers.yaml'
run 'reviewkit validate'
run 'git add -A && git commit -q -m "Set up reviewkit" && git push -q origin main'

# An existing catalogue with a history: three published articles approved 340, 100 and
# 60 days ago (backdated through the library; the signatures are real, made with Dana's key).
quiet 'reviewkit new "Sleep and anxiety" --author "Jordan Lee" --email j.lee@example.org'
quiet 'reviewkit new "Helping a grieving friend" --author "Jordan Lee" --email j.lee@example.org'
quiet 'reviewkit new "Loneliness in later life" --author "Jordan Lee" --email j.lee@example.org'
for a in sleep-and-anxiety:"sleep problems and worry" helping-a-grieving-friend:"grief" \
         loneliness-in-later-life:"loneliness"; do
  f=content/articles/${a%%:*}.md
  write_body "$f" "${a#*:}"
  set_field "$f" draft false
  set_field "$f" topics "[wellbeing]"
done
quiet 'git add -A && git commit -q -m "Import existing articles" && git push -q origin main'
for a in sleep-and-anxiety:340 helping-a-grieving-friend:100 loneliness-in-later-life:60; do
  f=content/articles/${a%%:*}.md; d=${a#*:}
  quiet "backdate submitted $f $((d + 2)) jlee"
  quiet "backdate approved $f $d dwhitfield $T/dana/.ssh/id_ed25519"
done
quiet 'reviewkit sync'

########################################################################################
section "editor: getting the repository"
as jordan
run 'git clone -q '"$ORIGIN"' site && cd site && reviewkit sync'
cd site
run 'reviewkit status'

section "editor: a new article"
run 'reviewkit new "Coping with panic attacks"'
F=content/articles/coping-with-panic-attacks.md
run "reviewkit validate $F"
note "Jordan writes the article (first version, with three mistakes)."
cat > /tmp/body.$$ <<'EOF'
A panic attack can feel like it comes out of nowhere. Your heart races and your chest feels
tight. After a few minutes it fades and leaves you tired and shaken. Panic attacks are
scary, but they are not dangerous on their own, and they can be treated.

## Five signs of a panic attack

- a pounding or racing heart
- shortness of breath
- shaking, sweating or chills
- feeling dizzy or far away from yourself

Studies show that about 1 in 4 adults will have a panic attack at some point.

## How to cope in the moment

Breathe in through your nose for a count of four. Breathe out through your mouth for a
count of six. Name five things you can see and four things you can touch. Tell yourself:
"This is a panic attack. It will pass."

## Find care

A therapist or your doctor can help you make a plan. Some people who have many attacks
also have thoughts of suicide; if that is you, please reach out for help today.
EOF
"$PY" - "$F" /tmp/body.$$ <<'EOF'
import sys
path, body = sys.argv[1:3]
text = open(path, encoding="utf-8").read()
front = text.split("\n---\n", 1)[0] + "\n---\n"
open(path, "w", encoding="utf-8").write(front + open(body, encoding="utf-8").read())
EOF
rm -f /tmp/body.$$
set_field "$F" topics "[anxiety, panic]"
set_field "$F" description '"What a panic attack feels like and simple steps that help you ride it out."'
run "sed -n '1,14p' $F"
run "reviewkit validate $F"

section "editor: fixing the findings"
note "Jordan adds the missing sign, a source for the statistic and the 988 line."
"$PY" - "$F" <<'EOF'
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
t = t.replace("citations: []", """citations:
  - id: brennan2020
    title: "How common are panic attacks? A national sample"
    url: https://example.org/studies/brennan-2020-panic
    year: 2020""")
t = t.replace("- feeling dizzy or far away from yourself\n",
              "- feeling dizzy or far away from yourself\n- a strong fear that you are losing control\n")
t = t.replace("at some point.", "at some point [@brennan2020].")
t = t.replace("reach out for help today.",
              "call or text 988 to reach the 988 Suicide & Crisis Lifeline (US).")
open(p, "w", encoding="utf-8").write(t)
EOF
run "reviewkit validate $F"
run "reviewkit validate"
run "reviewkit submit $F --reviewer dwhitfield"
run "git add $F && git commit -q -m 'Draft: coping with panic attacks'"
run "reviewkit submit $F --reviewer dwhitfield -m 'First draft, ready for clinical review.'"
run "reviewkit status $F"
run 'git push -q origin main && reviewkit sync'

########################################################################################
section "reviewer: setting up your key"
as dana
run 'ls ~/.ssh'
run 'ssh-keygen -l -f ~/.ssh/id_ed25519.pub'
run 'git clone -q '"$ORIGIN"' site && cd site && reviewkit sync'
cd site
run 'git config user.email'

section "reviewer: the queue"
run 'reviewkit queue --mine'
run 'reviewkit queue'

section "reviewer: reading the article"
run "reviewkit review $F | head -30"

section "reviewer: requesting changes"
run "reviewkit request-changes $F -m 'Breathing: say to stop and get medical care if chest pain is new or severe. Please add that before the breathing steps.'"
run 'reviewkit sync'

########################################################################################
section "editor: changes requested"
as jordan
run 'reviewkit sync'
run 'reviewkit status'
run "reviewkit log $F"
note "Jordan adds the sentence Dana asked for."
"$PY" - "$F" <<'EOF'
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
t = t.replace("## How to cope in the moment\n\n",
              "## How to cope in the moment\n\nChest pain can also come from a heart problem. If the pain is new or severe, stop and\nget medical care right away.\n\n")
open(p, "w", encoding="utf-8").write(t)
EOF
run "git diff"
run "reviewkit validate $F"
run "git commit -q -am 'Panic attacks: chest pain warning' && git push -q origin main"
run "reviewkit submit $F --reviewer dwhitfield -m 'Added the chest-pain warning.'"
run 'reviewkit sync'

########################################################################################
section "reviewer: approving"
as dana
run 'git pull -q && reviewkit sync'
run 'reviewkit queue --mine'
run "reviewkit review $F"
run "reviewkit approve $F -m 'Accurate and safe. Good plain language.'"
run 'reviewkit sync'

section "reviewer: comment"
run "reviewkit comment $F -m 'For the next update: a short audio version of the breathing exercise would help.'"

section "reviewer: what is refused"
note "1. Uncommitted changes: Dana fixes a typo herself but has not committed it."
printf '\nA panic attack is not a heart attack.\n' >> "$F"
run "reviewkit approve $F -m 'ok'"
quiet "git checkout -- $F"
note "2. Self-approval: Dana wrote an article herself."
quiet 'reviewkit new "Grounding exercises for anxiety"'
G=content/articles/grounding-exercises-for-anxiety.md
write_body "$G" "anxiety that spikes during the day"
set_field "$G" topics "[anxiety]"
quiet "git add $G && git commit -q -m 'Draft: grounding exercises' && git push -q origin main"
run "reviewkit approve $G -m 'Looks right to me.'"
note "3. An article that does not validate (a stray H1 heading in the committed file)."
quiet 'reviewkit new "What is burnout" --author "Jordan Lee" --email j.lee@example.org'
B=content/articles/what-is-burnout.md
write_body "$B" "burnout"
set_field "$B" topics "[stress, work]"
sed -i 's/^## Three signs to watch for$/# Three signs to watch for/' "$B"
quiet "git add $B && git commit -q -m 'Draft: burnout'"
run "reviewkit approve $B -m 'ok'"
quiet "git reset -q --hard HEAD~1"
note "4. An article on medication needs a medical credential (MD, DO, NP or PharmD)."
quiet 'reviewkit new "Starting an antidepressant: what to expect" --author "Jordan Lee" --email j.lee@example.org'
M=content/articles/starting-an-antidepressant-what-to-expect.md
write_body "$M" "depression who are starting a new medicine"
set_field "$M" topics "[depression, medication]"
quiet "git add $M && git commit -q -m 'Draft: starting an antidepressant' && git push -q origin main"
run "reviewkit approve $M -m 'Reads well.'"
note "5. Someone who is not in reviewers.yaml."
run "git config user.email d.whitfield@clinic.example.com && reviewkit approve $F -m 'ok'"
quiet "git config --unset user.email"

section "reviewer: withdrawing"
run "reviewkit withdraw $F -m 'New guidance on breathing exercises; I want to re-check this section.'"
run "reviewkit status $F"
note "Dana re-checks the section and approves again."
run "reviewkit approve $F -m 'Re-checked the breathing section against the new guidance. Accurate.'"
run 'reviewkit sync'

########################################################################################
section "reviewer-md: encrypted key and ssh-agent"
as samuel
quiet "git clone -q $ORIGIN site"
cd site
quiet 'reviewkit sync'
quiet "git config user.signingkey"
run 'git config user.signingkey'
run "reviewkit approve $M -m 'Dosing advice matches the label. Safe.'"
note "Samuel loads the key into ssh-agent once per session (ssh-add asks for the passphrase)."
eval "$(ssh-agent -s)" >/dev/null; AGENT_PID=$SSH_AGENT_PID; AGENT_SOCK=$SSH_AUTH_SOCK
printf '#!/bin/sh\necho "correct horse battery"\n' > "$T/askpass"; chmod +x "$T/askpass"
export SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force   # stands in for typing it
run 'ssh-add ~/.ssh/reviewkit_ed25519'
run 'ssh-add -l'
run "reviewkit approve $M -m 'Dosing advice matches the label. Safe.'"
run 'reviewkit sync'

########################################################################################
section "editor: approved, publishing"
as jordan
run 'git pull -q && reviewkit sync'
run "reviewkit status $F"
note "Any edit after the approval makes the article stale (here: one more sentence)."
printf '\nA panic attack is not a heart attack, but only a doctor can tell them apart.\n' >> "$F"
run "reviewkit status $F"
quiet "git checkout -- $F"
set_field "$F" draft false
run "git diff $F"
run "reviewkit status $F"
run "reviewkit validate $F"
run "git commit -q -am 'Publish: coping with panic attacks' && git push -q origin main"

section "editor: withdrawing a submission"
quiet 'reviewkit new "Talking to your doctor about ADHD"'
A=content/articles/talking-to-your-doctor-about-adhd.md
write_body "$A" "ADHD"
set_field "$A" topics "[adhd]"
quiet "git add $A && git commit -q -m 'Draft: ADHD' && git push -q origin main"
run "reviewkit submit $A --reviewer sosei"
run "reviewkit withdraw $A -m 'Submitted too early, still writing.'"
run "reviewkit status $A"
run 'reviewkit sync'

########################################################################################
section "ci: the gate on main"
as priya
run 'git pull -q origin main && reviewkit sync'
run 'reviewkit gate'
run 'reviewkit gate --format github --junit gate.xml'
run 'cat gate.xml'
run 'git rev-parse refs/reviewkit/events'

section "ci: a pull request that edits an approved article"
as jordan
quiet 'git pull -q origin main && reviewkit sync'
L=content/articles/loneliness-in-later-life.md
run "git switch -q -c loneliness-update"
sed -i 's/Go outside for a short walk each/Join a club, a class or a faith group. Go outside for a short walk each/' "$L"
run "git commit -q -am 'Loneliness: suggest groups' && git push -q origin loneliness-update"
note "What CI runs for the pull request (origin/main is the base):"
run 'git fetch -q origin main && reviewkit gate --trust-ref origin/main'
run 'reviewkit gate --trust-ref origin/main --format github'
note "A pull request that adds its author as a reviewer does not help:"
"$PY" - <<'EOF'
import re
p = "reviewers.yaml"
t = open(p).read()
t = t.replace("    roles: [editor]", "    roles: [editor, clinical_reviewer]\n    credentials:\n      - {type: LCSW, license: \"X-1\", region: US-OR, expires: 2030-01-01}", 1)
open(p, "w").write(t)
EOF
quiet "git commit -q -am 'Make me a reviewer'"
run 'reviewkit gate --trust-ref origin/main'
quiet 'git reset -q --hard HEAD~1'
run 'reviewkit submit '"$L"' --reviewer dwhitfield -m "Added groups and classes to what can help."'
run 'reviewkit sync'
note "Dana reviews the submission from main, by the article's id, without checking the branch out:"
as dana
LID=$(sed -n 's/^id: //p' "$L")
run 'git fetch -q origin && reviewkit sync && reviewkit queue --mine'
run "reviewkit review ${LID:0:12}"
run "reviewkit approve ${LID:0:12} -m 'Good addition.'"
run 'reviewkit sync origin'
as jordan
run 'reviewkit sync && reviewkit gate --trust-ref origin/main'

section "ci: fail closed"
as priya
note "A fresh checkout has no review events: clones do not fetch refs/reviewkit/*."
run 'git clone -q '"$ORIGIN"' ~/ci-checkout && cd ~/ci-checkout && reviewkit gate'
cd "$HOME/ci-checkout"
run 'git fetch -q --no-tags origin "+refs/reviewkit/*:refs/reviewkit/*" && reviewkit gate'
cd "$HOME/site"
note "The events tip CI saw last run, then the history is rewritten (force-update of the ref)."
TIP=$(git rev-parse refs/reviewkit/events)
run "reviewkit gate --expect-events-ancestor $TIP"
quiet "git update-ref refs/reviewkit/events $TIP~1"
run "reviewkit gate --expect-events-ancestor $TIP"
quiet "git update-ref refs/reviewkit/events $TIP"

section "ci: publish"
run 'reviewkit sync'
run 'reviewkit publish --out site-build --format html'
run 'ls site-build'
run 'python3 -m json.tool site-build/manifest.json | head -30'
run 'grep -o "Clinically reviewed by[^<]*" site-build/coping-with-panic-attacks.html'
run 'reviewkit verify site-build'
note "An approved article edited without a new sign-off: its approved version stays live."
quiet "git fetch -q origin && git merge -q --no-edit origin/loneliness-update"
sed -i 's/Keep a simple daily routine./Keep a simple daily routine. Eat regular meals./' content/articles/sleep-and-anxiety.md
quiet "git commit -q -am 'Sleep: meals'"
run 'reviewkit publish --out site-build-2 --format html'
run 'ls site-build-2'
note "With --strict, publish refuses instead and writes nothing:"
run 'reviewkit publish --out site-build-3 --format html --strict'
run 'ls site-build-3'
quiet 'git reset -q --hard HEAD~1 && git push -q origin main'

########################################################################################
section "content-lead: the catalogue"
as jordan
quiet 'git switch -q main && git pull -q origin main && reviewkit sync'
note "An older article arrives with its history (approved 400 days ago)."
quiet 'reviewkit new "When to worry about a child'"'"'s anxiety" --slug child-anxiety'
C=content/articles/child-anxiety.md
write_body "$C" "children whose worries get in the way of school or play"
set_field "$C" draft false
set_field "$C" topics "[anxiety, children]"
quiet "git add $C && git commit -q -m 'Import: child anxiety' && git push -q origin main"
quiet "backdate submitted $C 402 jlee"
quiet "backdate approved $C 400 dwhitfield $T/dana/.ssh/id_ed25519"
note "Jordan also edits the antidepressant article after its approval (still a draft)."
sed -i 's/Keep a simple daily routine./Keep a simple daily routine. Do not stop a medicine suddenly./' "$M"
quiet "git commit -q -am 'Antidepressant: do not stop suddenly' && git push -q origin main"
quiet 'reviewkit new "What is burnout" --author "Jordan Lee" --email j.lee@example.org'
write_body "$B" "burnout"
set_field "$B" topics "[stress, work]"
quiet "git add $B && git commit -q -m 'Draft: burnout' && git push -q origin main"
quiet "reviewkit submit $B --reviewer sosei"
quiet 'reviewkit sync'

as priya
quiet 'git pull -q origin main && reviewkit sync'
run 'reviewkit status'
run 'echo $?'
run 'reviewkit status --state stale --state expired'
run 'reviewkit status --state draft'
run 'reviewkit status --format json | head -25'

section "content-lead: re-review due"
run 'reviewkit due'
run 'reviewkit due --within 12m'
run 'reviewkit due --within 13m --format csv'

section "content-lead: audit"
run 'reviewkit audit --since 2026-01-01 > audit.csv; echo $?; wc -l audit.csv'
run "head -4 audit.csv | cut -d, -f1,2,4,5,7,11,12"
run 'reviewkit audit --format json | head -12'

section "content-lead: report"
run 'reviewkit report --html dashboard'
run 'ls dashboard dashboard/articles'
run 'python3 -c "import json; d = json.load(open(\"dashboard/dashboard.json\")); print(d[\"counts\"]); print(d[\"due_soon\"])"'
if [ "${SCREENSHOT:-}" ] && [ -x /usr/bin/chromium ]; then
  quiet "/usr/bin/chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot=$SCREENSHOT --window-size=1280,1000 file://$PWD/dashboard/index.html"
fi

section "content-lead: periodic re-review"
as jordan
quiet 'git pull -q origin main && reviewkit sync'
run "reviewkit submit $C --reviewer dwhitfield -m 'Yearly re-review.'"
run 'reviewkit sync'
as dana
quiet 'git switch -q main && git pull -q origin main && reviewkit sync'
run "reviewkit review $C | head -5"
run "reviewkit approve $C -m 'Yearly re-review: still accurate.'"
run 'reviewkit sync'
as priya
run 'reviewkit sync && reviewkit status --state expired --state approved'

########################################################################################
section "translations"
as priya
quiet 'git pull -q origin main && reviewkit sync'
note "Priya records that Samuel Osei also reads Spanish (languages: [en, es])."
"$PY" - <<'EOF'
p = "reviewers.yaml"
t = open(p, encoding="utf-8").read()
t = t.replace("    email: s.osei@example.org\n", "    email: s.osei@example.org\n    languages: [en, es]\n", 1)
open(p, "w", encoding="utf-8").write(t)
EOF
quiet "git commit -q -am 'Samuel Osei reviews Spanish too' && git push -q origin main"
as jordan
quiet 'git pull -q origin main && reviewkit sync'
run "reviewkit translate $F --lang es"
E=content/articles/coping-with-panic-attacks.es.md
run "sed -n '1,14p' $E"
note "A translator replaces the title, description and text with Spanish ones."
"$PY" - "$E" <<'EOF'
import re, sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
front = t.split("\n---\n", 1)[0] + "\n---\n"
front = re.sub(r'(?m)^title:.*$', 'title: "Cómo afrontar los ataques de pánico"', front)
front = re.sub(r'(?m)^slug:.*$', 'slug: como-afrontar-los-ataques-de-panico', front)
front = re.sub(r'(?m)^description:.*$', 'description: "Qué se siente en un ataque de pánico y pasos sencillos que ayudan a superarlo."', front)
front = re.sub(r'(?m)^draft:.*$', 'draft: false', front)
body = """Un ataque de pánico puede llegar sin aviso. El corazón se acelera y sientes el pecho
apretado. A los pocos minutos pasa y te deja cansado y tembloroso. Los ataques de pánico
asustan, pero por sí solos no son peligrosos, y tienen tratamiento.

## Señales de un ataque de pánico

- el corazón late fuerte o muy rápido
- te falta el aire
- temblores, sudor o escalofríos
- mareo o la sensación de estar lejos de ti mismo
- un miedo intenso a perder el control

Los estudios muestran que cerca de 1 de cada 4 adultos tendrá un ataque de pánico en algún
momento [@brennan2020].

## Cómo afrontarlo en el momento

El dolor en el pecho también puede venir de un problema del corazón. Si el dolor es nuevo
o fuerte, detente y busca atención médica de inmediato.

Inhala por la nariz contando hasta cuatro. Exhala por la boca contando hasta seis. Nombra
cinco cosas que puedes ver y cuatro que puedes tocar. Dite a ti mismo: "Es un ataque de
pánico. Va a pasar."

## Busca ayuda

Un terapeuta o tu médico pueden ayudarte a hacer un plan. Algunas personas que tienen
muchos ataques también tienen pensamientos de suicidio; si es tu caso, llama o envía un
mensaje de texto al 988 para comunicarte con la 988 Suicide & Crisis Lifeline (EE. UU.),
que atiende en español.
"""
open(p, "w", encoding="utf-8").write(front + body)
EOF
run "reviewkit validate $E"
quiet "git add $E && git commit -q -m 'Spanish: coping with panic attacks' && git push -q origin main"
run "reviewkit submit $E --reviewer dwhitfield"
run "reviewkit submit $E --reviewer sosei -m 'Spanish translation, ready for review.'"
run 'reviewkit sync'
as dana
quiet 'git pull -q origin main && reviewkit sync'
run "reviewkit approve $E -m 'Looks right.'"
as samuel
quiet 'git pull -q origin main && reviewkit sync'
run 'reviewkit queue --mine'
run "reviewkit approve $E -m 'Clinically accurate; the crisis line serves Spanish speakers.'"
run 'reviewkit sync'
note "Later the English original changes and is approved again."
as jordan
quiet 'git pull -q origin main && reviewkit sync'
sed -i 's/^count of six\. Name five things/count of six. Do this five times. Name five things/' "$F"
quiet "git commit -q -am 'Panic attacks: repeat the breathing' && git push -q origin main"
quiet "reviewkit submit $F --reviewer dwhitfield && reviewkit sync"
as dana
quiet 'git pull -q origin main && reviewkit sync'
quiet "reviewkit approve $F -m 'Fine.' && reviewkit sync"
as jordan
quiet 'reviewkit sync'
run "reviewkit status $E"
run "reviewkit review $E"
run 'reviewkit gate'

########################################################################################
section "completion"
as jordan
run '_REVIEWKIT_COMPLETE=bash_source reviewkit > ~/.reviewkit-complete.bash && head -5 ~/.reviewkit-complete.bash'
run "bash -c 'source ~/.reviewkit-complete.bash; complete -p reviewkit'"
run 'COMP_WORDS="reviewkit st" COMP_CWORD=1 _REVIEWKIT_COMPLETE=bash_complete reviewkit'
run 'COMP_WORDS="reviewkit status --state " COMP_CWORD=3 _REVIEWKIT_COMPLETE=bash_complete reviewkit'
run '_REVIEWKIT_COMPLETE=zsh_source reviewkit | head -3'
run '_REVIEWKIT_COMPLETE=fish_source reviewkit | head -3'

section "exit codes"
run 'cd ~ && reviewkit status'
run 'reviewkit status --format yaml'
run 'reviewkit --version'
