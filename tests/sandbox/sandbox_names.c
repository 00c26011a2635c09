/* Built-in name tables for generated people, places and jobs. */
#include "sandbox.h"

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
    "Leo", "Lily", "Arthur", "Isabella", "Muhammad", "Rosie", "Oscar", "Sophia", "Charlie",
    "Grace", "Jacob", "Freya", "Thomas", "Florence", "Henry", "Willow", "William", "Evie",
    "Alfie", "Poppy", "Joshua", "Ella", "Freddie", "Elsie", "Archie", "Charlotte", "Ethan",
    "Aria", "Isaac", "Daisy", "Alexander", "Sienna", "Joseph", "Ruby", "Edward", "Alice",
    "Samuel", "Emily", "Max", "Matilda", "Logan", "Phoebe", "Lucas", "Sofia", "Daniel",
    "Ada", "Priya", "Aisha", "Chloe", "Zara", "Ravi", "Niamh", "Siobhan", "Callum", "Rhys",
    "Megan", "Owen", "Catrin", "Fiona", "Hamish", "Eilidh", "Kwame", "Amara", "Tomasz",
    "Agnieszka", "Mateo", "Lucia", "Yusuf", "Hannah", "Ben", "Sarah", "David", "Emma",
};
static const char *const last_names[] = {
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts",
    "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Lewis", "Harris", "Martin",
    "Cooper", "King", "Lee", "Baker", "Hughes", "Turner", "Edwards", "Hill", "Moore",
    "Clark", "Harrison", "Scott", "Young", "Morris", "Hussain", "Ward", "Watson", "Morgan",
    "Campbell", "Murphy", "Kaur", "Singh", "Begum", "Ahmed", "O'Brien", "MacDonald",
    "Nowak", "Kowalski", "Okafor", "Mensah", "Fernandes", "Rossi", "Novak", "Price",
    "Bennett", "Gray", "Bell", "Stewart", "Reid", "Fletcher", "Kelly", "Chapman", "Mills",
};
static const char *const towns[] = {
    "Leeds", "Manchester", "Bristol", "Birmingham", "Sheffield", "Liverpool", "Newcastle",
    "Nottingham", "Cardiff", "Glasgow", "Edinburgh", "York", "Norwich", "Exeter", "Brighton",
    "Oxford", "Cambridge", "Bath", "Derby", "Leicester",
};
static const char *const titles[] = {
    "Care Assistant", "Support Worker", "Registered Nurse", "Senior Care Assistant",
    "Team Leader", "Deputy Manager", "Home Manager", "Activities Coordinator", "Chef",
    "Kitchen Assistant", "Housekeeper", "Maintenance Officer", "Administrator",
    "Recruitment Coordinator", "Payroll Assistant", "HR Advisor", "Night Care Assistant",
    "Domiciliary Carer", "Clinical Lead", "Physiotherapist",
};

const char *hs_sb_first_name(unsigned i) { return first_names[i % N(first_names)]; }
const char *hs_sb_last_name(unsigned i) { return last_names[i % N(last_names)]; }
const char *hs_sb_town(unsigned i) { return towns[i % N(towns)]; }
const char *hs_sb_job_title(unsigned i) { return titles[i % N(titles)]; }
unsigned hs_sb_n_first(void) { return N(first_names); }
unsigned hs_sb_n_last(void) { return N(last_names); }
unsigned hs_sb_n_towns(void) { return N(towns); }
unsigned hs_sb_n_titles(void) { return N(titles); }
