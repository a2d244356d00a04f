# mkman.awk - one man page from one `ilonet ... --help` text (stdin), for
# scripts/mkman.sh. Variables: mode (top: the text of `ilonet --help`, giving
# ilonet(1); cmd: a command's), cmd, summary, version, date, cmds (every
# command, space-separated: SEE ALSO names the ones the text mentions).
#
# A --help text is read as: usage lines (`usage: ilonet ...`, further forms
# `       ilonet ...`, continuation lines indented), a blank line, prose.
# SYNOPSIS is the usage block as printed; DESCRIPTION the prose; OPTIONS
# every option of the usage block with its argument, whether it is required
# or optional (brackets) and repeatable (`]...`), per subcommand when the
# command has several forms. Only sh and POSIX awk (mawk) are needed.

# Roff-escapes text: backslashes, every hyphen as \- (the ASCII minus users
# type: options, categories, dates), a leading control character; options
# and `quoted commands` in bold.
function esc(s,    out, m) {
    out = ""
    # mark bold spans first (\001..\002), escape, then turn marks into fonts
    while (match(s, /`[^`]*`/)) {
        out = out substr(s, 1, RSTART - 1) "\001" substr(s, RSTART + 1, RLENGTH - 2) "\002"
        s = substr(s, RSTART + RLENGTH)
    }
    s = out s
    out = ""
    while (match(s, /--[A-Za-z][A-Za-z0-9-]*/)) {
        out = out substr(s, 1, RSTART - 1) "\001" substr(s, RSTART, RLENGTH) "\002"
        s = substr(s, RSTART + RLENGTH)
    }
    s = out s
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    gsub(/\001/, "\\fB", s)
    gsub(/\002/, "\\fR", s)
    if (s ~ /^[.']/)
        s = "\\&" s
    return s
}

# Roff-escapes a synopsis line kept as printed (no fill): options and
# `ilonet` in bold.
function esc_syn(s) {
    s = esc(s)
    sub(/ilonet/, "\\fBilonet\\fR", s)
    return s
}

# Parses usage form f (one string): its subcommand words and every option
# in it, into the globals below.
#   fsub[f]              subcommand text ("" for the command itself)
#   nopt, opt[i]         options in order of first appearance
#   oarg[o]              the option's argument (first form that has one)
#   ostat[o, f]          "required" or "optional" in form f ("" if absent)
#   orep[o, f]           1 when repeatable in form f
function parse_form(f, s,    n, t, i, j, sp, gid, stack, grp, rep, name, rest, u, k, g, c, sub_) {
    n = split(s, t, /[ \t]+/)
    i = 1
    if (t[i] == "")
        i++
    if (t[i] == "ilonet")
        i++
    if (t[i] == "[-C" && t[i + 1] == "DIR]") {
        has_c = 1
        i += 2
    }
    i++ # the command itself
    sub_ = ""
    while (i <= n && t[i] ~ /^[a-z][a-z|]*$/) {
        sub_ = sub_ (sub_ == "" ? "" : " ") t[i]
        i++
        if (t[i] == "|") {
            sub_ = sub_ " |"
            i++
        }
    }
    fsub[f] = sub_
    sp = 0
    gid = 0
    for (; i <= n; i++) {
        u = t[i]
        while (substr(u, 1, 1) == "[") {
            stack[++sp] = ++gid
            u = substr(u, 2)
        }
        if (u ~ /^--[A-Za-z]/) {
            match(u, /^--[A-Za-z][A-Za-z0-9-]*/)
            name = substr(u, 1, RLENGTH)
            rest = substr(u, RLENGTH + 1)
            if (!(name in oarg)) {
                opt[++nopt] = name
                oarg[name] = ""
            }
            if (rest == "" && i < n && t[i + 1] !~ /^[-[|]/ && oarg[name] == "")
                oarg[name] = unbracket(t[i + 1])
            # required once seen outside brackets ("--FIELD VALUE
            # [--FIELD VALUE]..."); repeatable if any group around it is
            if (ostat[name, f] != "required")
                ostat[name, f] = sp == 0 ? "required" : "optional"
            for (j = 1; j <= sp; j++)
                grp[name] = grp[name] " " stack[j]
            seen[name, f] = 1
        }
        # the rest of the token's brackets, in order ("STATE[,STATE]" opens
        # and closes one); "]..." repeats the group that bracket closes
        for (j = 1; j <= length(u); j++) {
            c = substr(u, j, 1)
            if (c == "[")
                stack[++sp] = ++gid
            else if (c == "]" && sp > 0) {
                g = stack[sp--]
                if (substr(u, j + 1, 3) == "...")
                    rep[g] = 1
            }
        }
    }
    for (k = 1; k <= nopt; k++) {
        name = opt[k]
        if (!((name, f) in seen))
            continue
        n = split(grp[name], t, " ")
        for (j = 1; j <= n; j++)
            if (t[j] in rep)
                orep[name, f] = 1
    }
}

# 1 when every word of "a, b" is a subcommand.
function all_subs(tag,    n, w, i) {
    n = split(tag, w, /[ ,]+/)
    for (i = 1; i <= n; i++)
        if (w[i] != "" && !(w[i] in subword))
            return 0
    return n > 0
}

# A new paragraph, except at the start of a section (where it is implied).
function pp() {
    if (in_section)
        print ".PP"
    in_section = 1
}

# An option's argument as written after it, without the brackets that close
# groups around it ("STATE]..." is STATE; "STATE[,STATE]" stays whole).
function unbracket(a,    o, c) {
    o = gsub(/\[/, "[", a)
    c = gsub(/\]/, "]", a)
    sub(/\]\.\.\.$/, "]", a)
    while (c > o && substr(a, length(a)) == "]") {
        a = substr(a, 1, length(a) - 1)
        c--
    }
    return a
}

# "ilonet CMD SUB" in bold, for the OPTIONS text.
function form_name(f) {
    return "\\fBilonet " esc(cmd (fsub[f] == "" ? "" : " " fsub[f])) "\\fR"
}

# One line saying where option o is required, optional, repeatable.
function opt_text(o,    f, st, first, same, out, r) {
    first = ""
    same = 1
    for (f = 1; f <= nform; f++) {
        st = ostat[o, f]
        if (st == "")
            continue
        if (first == "")
            first = st
        else if (st != first)
            same = 0
    }
    out = ""
    r = 0
    for (f = 1; f <= nform; f++) {
        if (ostat[o, f] == "")
            continue
        if ((o, f) in orep)
            r = 1
        if (nform == 1)
            continue
        if (same)
            out = out (out == "" ? " with " : ", ") form_name(f)
        else
            out = out (out == "" ? "" : "; ") ostat[o, f] " with " form_name(f)
    }
    if (nform == 1 || same)
        out = toupper(substr(first, 1, 1)) substr(first, 2) out
    else
        out = toupper(substr(out, 1, 1)) substr(out, 2)
    return out (r ? "; may be given more than once." : ".")
}

function see_also(text,    n, w, i, out, c) {
    out = ".BR ilonet (1)"
    n = split(cmds, w, " ")
    for (i = 1; i <= n; i++) {
        c = w[i]
        if (c != cmd && index(text, "ilonet " c " ") + index(text, "ilonet " c "`") + index(text, "ilonet " c "\047") > 0)
            out = out ",\n.BR ilonet\\-" esc(c) " (1)"
    }
    return out
}

function header(title, name, what) {
    print ".\\\" Generated by scripts/mkman.sh from the program's --help text; do not edit."
    print ".TH " title " 1 \"" date "\" \"" esc(version) "\" \"ilonet manual\""
    print ".nh"
    print ".ad l"
    print ".SH NAME"
    print name " \\- " esc(what)
}

function exit_status() {
    print ".SH EXIT STATUS"
    print "0 when the command did what was asked, 1 when it failed, 2 on a usage"
    print "error (unknown option, missing or malformed argument). An error is one"
    print "line on standard error, \\fBilonet: \\fIwhat failed\\fB: \\fIwhy\\fR, naming"
    print "the file, entry or peer concerned; a usage error ends with a pointer to"
    print "\\fB\\-\\-help\\fR."
}

{ line[++nl] = $0 }

END {
    if (mode == "top") {
        top_page()
        exit 0
    }
    # usage block: up to the first blank line
    nform = 0
    for (i = 1; i <= nl && line[i] != ""; i++) {
        l = line[i]
        if (l ~ /^usage: /) {
            form[++nform] = substr(l, 8)
            syn[++nsyn] = substr(l, 8)
        } else {
            if (l ~ /^ +ilonet /)
                form[++nform] = l
            else
                form[nform] = form[nform] " " l
            syn[++nsyn] = substr(l, 1, 7) ~ /^ +$/ ? substr(l, 8) : l
        }
    }
    body = i + 1
    for (f = 1; f <= nform; f++)
        parse_form(f, form[f])
    for (f = 1; f <= nform; f++)
        if (fsub[f] != "") {
            k = split(fsub[f], w, /[ |]+/)
            for (j = 1; j <= k; j++)
                if (w[j] != "")
                    subword[w[j]] = 1
        }

    header("ILONET\\-" toupper(esc(cmd)), "ilonet\\-" esc(cmd), summary)
    print ".SH SYNOPSIS"
    print ".nf"
    for (i = 1; i <= nsyn; i++)
        print esc_syn(syn[i])
    print ".fi"
    print ".SH DESCRIPTION"
    text = ""
    para = 1
    for (i = body; i <= nl; i++) {
        l = line[i]
        text = text " " l
        if (l == "") {
            para = 1
            continue
        }
        first = l
        sub(/[ :,].*$/, "", first)
        tag = l
        sub(/:.*$/, "", tag)
        if (l ~ /^--[A-Za-z][A-Za-z0-9-]*:( |$)/ ||
            (l ~ /^[a-z][a-z, ]*:( |$)/ && all_subs(tag))) {
            # "sub: text", "sub, sub: text", "--option: text": own paragraph
            pp()
            sub(/^[^:]*:/, "", l)
            print (tag ~ /^-/ ? esc(tag) : "\\fB" esc(tag) "\\fR") ":" esc(l)
        } else if (l ~ /^[a-z]/ && first in subword) {
            # "sub does this": a subcommand's paragraph
            pp()
            print "\\fB" esc(first) "\\fR" esc(substr(l, length(first) + 1))
        } else {
            # an option opening a sentence after a full stop: a paragraph
            if (para || (l ~ /^--/ && line[i - 1] ~ /\.$/))
                pp()
            sub(/^[ \t]+/, "", l)
            print esc(l)
        }
        para = 0
    }
    print ".SH OPTIONS"
    for (k = 1; k <= nopt; k++) {
        o = opt[k]
        print ".TP"
        print esc(o) (oarg[o] == "" ? "" : " \\fI" esc(oarg[o]) "\\fR")
        print opt_text(o)
    }
    if (has_c) {
        print ".TP"
        print "\\fB\\-C\\fR \\fIDIR\\fR"
        print "The node home, given before the command; else \\fB$ILONET_HOME\\fR,"
        print "else \\fB./.ilonet\\fR."
    }
    print ".TP"
    print "\\fB\\-h\\fR, \\fB\\-\\-help\\fR"
    print "Print this text (the usage and the description) and exit 0."
    exit_status()
    if (has_c) {
        print ".SH ENVIRONMENT"
        print ".TP"
        print ".B ILONET_HOME"
        print "The node home when \\fB\\-C\\fR is not given."
    }
    print ".SH SEE ALSO"
    print see_also(text)
}

# ilonet(1): the program, its global options and the command list.
function top_page(    i, l, c, what, n, w, nc, cname, cwhat, incmds, intail) {
    header("ILONET", "ilonet", "decentralised signed logs for the networks of immigration liaison officers")
    print ".SH SYNOPSIS"
    print ".nf"
    for (i = 1; i <= nl && line[i] != ""; i++) {
        l = line[i]
        sub(/^usage: /, "", l)
        print esc_syn(l)
    }
    print "\\fBilonet\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR"
    print "\\fBilonet \\-\\-version\\fR"
    print ".fi"
    print ".SH DESCRIPTION"
    print "Every Member State's node writes signed, append-only logs; the nodes of"
    print "one host-country network exchange them over mutually authenticated,"
    print "encrypted links and merge them into the same local view. Each command"
    print "has its own page, \\fBilonet\\-\\fIcommand\\fR(1), made from its"
    print "\\fB\\-\\-help\\fR text."
    nc = 0
    for (; i <= nl; i++) {
        l = line[i]
        if (l ~ /^commands:/) {
            incmds = 1
        } else if (incmds && l ~ /^  [a-z]/) {
            c = l
            sub(/^  /, "", c)
            what = c
            sub(/ .*$/, "", c)
            sub(/^[^ ]+ +/, "", what)
            cname[++nc] = c
            cwhat[nc] = what
        } else if (l == "") {
            incmds = 0
        } else if (!incmds) {
            # the text after the command list
            if (!intail++)
                print ".PP"
            print esc(l)
        }
    }
    print ".SH COMMANDS"
    for (i = 1; i <= nc; i++) {
        print ".TP"
        print "\\fB" esc(cname[i]) "\\fR"
        print esc(cwhat[i]) "; see \\fBilonet\\-" esc(cname[i]) "\\fR(1)."
    }
    print ".SH OPTIONS"
    print ".TP"
    print "\\fB\\-C\\fR \\fIDIR\\fR"
    print "The node home: its secret key, certificate, trust roster, network file,"
    print "config and store. Else \\fB$ILONET_HOME\\fR, else \\fB./.ilonet\\fR."
    print ".TP"
    print "\\fB\\-\\-json\\fR"
    print "Accepted anywhere after the command. The commands that have a JSON form"
    print "(the read commands, export, import, sync, restore and every command that"
    print "writes an entry) then print JSON instead of text; the others ignore it."
    print ".TP"
    print "\\fB\\-h\\fR, \\fB\\-\\-help\\fR"
    print "Print the command list (or, after a command, its usage) and exit 0."
    print ".TP"
    print "\\fB\\-\\-version\\fR"
    print "Print the version and exit 0."
    print ".PP"
    print "Entry ids, keys and hashes are lowercase hex, the same in every command."
    exit_status()
    print ".SH ENVIRONMENT"
    print ".TP"
    print ".B ILONET_HOME"
    print "The node home when \\fB\\-C\\fR is not given."
    print ".SH SEE ALSO"
    n = split(cmds, w, " ")
    for (i = 1; i <= n; i++)
        print ".BR ilonet\\-" esc(w[i]) " (1)" (i < n ? "," : "")
    print ".PP"
    print "The reference with every command, option and JSON shape is"
    print "docs/CLI.md in the ilonet sources."
}
